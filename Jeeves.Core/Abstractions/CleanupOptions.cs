namespace Jeeves;

/// <summary>
/// Represents how long finished work is kept and how often the kernel collects it.
/// </summary>
public sealed class CleanupOptions
{
    /// <summary>Gets or sets the time between cleanup cycles; <see cref="TimeSpan.Zero"/> turns the timer off.</summary>
    /// <value>The default value is 5 minutes.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan Interval
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how long a terminated process is kept after it completes.</summary>
    /// <remarks>
    /// With <see cref="TimeSpan.Zero"/> nothing of a finished run is kept: when an agent report ends a run, its process
    /// and session are released in that same call (the final instruction still carries the final envelope), so
    /// <c>GetProcess</c> answers none afterwards. A process ended any other way (<c>TerminateProcess</c>, a state
    /// transition, an expired interrupt) is released by the next cleanup, as with any retention. Releasing at once keeps
    /// finished runs from surviving into older collector generations, which under load costs more than the runs themselves.
    /// </remarks>
    /// <value>The default value is 24 hours.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan ProcessRetention
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets how long an idle orchestration session is kept.</summary>
    /// <value>The default value is 1 hour.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan SessionRetention
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how long a resolved, cancelled or expired interrupt is kept after it closed.</summary>
    /// <value>The default value is 24 hours.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan InterruptRetention
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets the most per-user usage totals kept for users without live processes.</summary>
    /// <value>The default value is 10 000.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxUserUsageEntries
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 10_000;
}
