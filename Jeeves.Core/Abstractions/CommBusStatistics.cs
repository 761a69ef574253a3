namespace Jeeves;

/// <summary>
/// Represents the message bus counters reported in the system status.
/// </summary>
/// <param name="EventsPublished">Every publish, whether or not anyone subscribed.</param>
/// <param name="CommandsSent">Commands whose handler completed without failing.</param>
/// <param name="QueriesExecuted">Queries answered.</param>
/// <param name="ActiveSubscribers">Live subscriptions, each counted once however many event types it lists.</param>
/// <param name="EventsDropped">Events dropped from full subscriber queues.</param>
public sealed record CommBusStatistics(long EventsPublished, long CommandsSent, long QueriesExecuted, int ActiveSubscribers, long EventsDropped)
{
    /// <summary>Gets statistics with every counter at zero.</summary>
    public static CommBusStatistics Empty { get; } = new(0, 0, 0, 0, 0);
}
