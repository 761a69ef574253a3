namespace Jeeves;

/// <summary>
/// Represents the per-user sliding-window limits checked when a process is created. A limit of N admits exactly N
/// requests in any window of its length; a limit of 0 refuses everything; <see cref="int.MaxValue"/> means no limit for
/// that window, which then keeps no record of requests (and counts zero).
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Gets or sets the requests admitted per user in any 60-second window.</summary>
    /// <value>The default value is 60.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int RequestsPerMinute
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 60;

    /// <summary>Gets or sets the requests admitted per user in any one-hour window.</summary>
    /// <value>The default value is 1000.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int RequestsPerHour
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 1000;

    /// <summary>Gets or sets the requests admitted per user in any 10-second window.</summary>
    /// <value>The default value is 10.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int BurstSize
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 10;
}
