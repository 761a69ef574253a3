namespace Jeeves;

/// <summary>
/// Represents the per-kind settings of interrupts.
/// </summary>
public sealed class InterruptOptions
{
    private readonly InterruptKindOptions[] _kinds =
    [
        new(TimeSpan.FromHours(24), requireResponse: true),          // clarification
        new(TimeSpan.FromHours(1), requireResponse: true),           // confirmation
        new(TimeSpan.FromMinutes(30), requireResponse: true),        // agent_review
        new(null, requireResponse: false),                           // checkpoint: never expires
        new(TimeSpan.FromMinutes(5), requireResponse: false) { OnExpired = InterruptEndAction.ResumeProcess }, // resource_exhausted
        new(TimeSpan.FromMinutes(5), requireResponse: false),        // timeout
        new(TimeSpan.FromHours(1), requireResponse: false),          // system_error
    ];

    /// <summary>Gets the settings of one kind; change its properties to configure that kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The settings of <paramref name="kind"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined kind.</exception>
    public InterruptKindOptions this[InterruptKind kind]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)kind, (uint)_kinds.Length, nameof(kind));
            return _kinds[(int)kind];
        }
    }
}
