namespace Jeeves;

/// <summary>
/// Represents the settings of one interrupt kind.
/// </summary>
public sealed class InterruptKindOptions
{
    /// <summary>Initializes a new instance of the <see cref="InterruptKindOptions"/> class.</summary>
    /// <param name="timeToLive">How long the interrupt waits for an answer, or <see langword="null"/> for ever.</param>
    /// <param name="requireResponse">Whether a resolution must carry an answer.</param>
    public InterruptKindOptions(TimeSpan? timeToLive, bool requireResponse)
    {
        TimeToLive = timeToLive;
        RequireResponse = requireResponse;
    }

    /// <summary>Gets or sets how long the interrupt waits for an answer, or <see langword="null"/> for ever.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? TimeToLive
    {
        get;
        set
        {
            if (value is { } ttl)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero, nameof(value));
            }

            field = value;
        }
    }

    /// <summary>Gets or sets a value indicating whether the interrupt expires once <see cref="TimeToLive"/> has passed.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AutoExpire { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether a resolution must carry text, an approval, a decision or data.</summary>
    public bool RequireResponse { get; set; }

    /// <summary>Gets or sets what happens to a paused process when its interrupt expires.</summary>
    /// <value>The default value is <see cref="InterruptEndAction.TerminateProcess"/>.</value>
    public InterruptEndAction OnExpired { get; set; } = InterruptEndAction.TerminateProcess;

    /// <summary>Gets or sets what happens to a paused process when its interrupt is cancelled.</summary>
    /// <value>The default value is <see cref="InterruptEndAction.TerminateProcess"/>.</value>
    public InterruptEndAction OnCancelled { get; set; } = InterruptEndAction.TerminateProcess;
}
