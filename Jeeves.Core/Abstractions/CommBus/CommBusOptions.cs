namespace Jeeves;

/// <summary>
/// Represents the settings of the message bus. Values are copied when the bus is created; changing the options
/// afterwards has no effect.
/// </summary>
public sealed class CommBusOptions
{
    /// <summary>The longest timeout a query may be given: the longest delay a timer accepts.</summary>
    private static readonly TimeSpan s_maxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>Gets or sets how many undelivered events each subscription buffers. When the buffer is full, the oldest event is dropped and counted in <see cref="CommBusStatistics.EventsDropped"/>.</summary>
    /// <value>The default value is 1024.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int SubscriberCapacity
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 1024;

    /// <summary>Gets or sets the timeout of a query sent without one. It is capped at <see cref="MaxQueryTimeout"/> like any other.</summary>
    /// <value>The default value is 5 seconds.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan DefaultQueryTimeout { get => field; set => field = Timeout(value); } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the longest timeout a query can have; longer ones are shortened to it.</summary>
    /// <value>The default value is 30 seconds.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan MaxQueryTimeout { get => field; set => field = Timeout(value); } = TimeSpan.FromSeconds(30);

    private static TimeSpan Timeout(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, s_maxTimeout);
        return value;
    }
}
