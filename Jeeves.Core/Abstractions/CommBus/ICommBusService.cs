using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Represents the message bus as a client sees it: events (fan-out), commands (one handler) and queries (one handler,
/// with a timeout). The in-process bus and the TCP client implement it the same way.
/// </summary>
/// <remarks>
/// Implementations are safe to use from many threads at once. Command and query handlers are registered in the
/// process that runs the bus, never through this interface.
/// </remarks>
public interface ICommBusService
{
    /// <summary>Publishes an event to every live subscription whose patterns match <paramref name="eventType"/>.</summary>
    /// <param name="eventType">The event type; must not be empty or white space.</param>
    /// <param name="payload">The event data; <see langword="null"/> publishes an empty JSON object.</param>
    /// <param name="source">The publisher, for example a pid.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The number of subscriptions the event was delivered to.</returns>
    /// <exception cref="KernelException"><paramref name="eventType"/> is empty (<see cref="KernelErrorCode.InvalidArgument"/>).</exception>
    Task<int> PublishAsync(string eventType, JsonElement? payload = null, string source = "", CancellationToken cancellationToken = default);

    /// <summary>Sends a command to the handler registered for <paramref name="commandType"/> and waits until it has handled it.</summary>
    /// <param name="commandType">The command type; must not be empty or white space.</param>
    /// <param name="payload">The command data; <see langword="null"/> sends an empty JSON object.</param>
    /// <param name="source">The sender.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests; the handler receives it.</param>
    /// <returns>A task that completes when the handler has handled the command.</returns>
    /// <exception cref="KernelException">
    /// <paramref name="commandType"/> is empty (<see cref="KernelErrorCode.InvalidArgument"/>), no handler is registered
    /// for it (<see cref="KernelErrorCode.NotFound"/>), or the handler failed (its own <see cref="KernelException"/>, or
    /// <see cref="KernelErrorCode.Internal"/> wrapping any other exception).
    /// </exception>
    Task SendAsync(string commandType, JsonElement? payload = null, string source = "", CancellationToken cancellationToken = default);

    /// <summary>Sends a query to the handler registered for <paramref name="queryType"/> and returns its answer.</summary>
    /// <param name="queryType">The query type; must not be empty or white space.</param>
    /// <param name="payload">The query data; <see langword="null"/> sends an empty JSON object.</param>
    /// <param name="source">The sender.</param>
    /// <param name="timeout">How long to wait for the answer; <see langword="null"/> uses the bus default. Longer values are capped at the bus maximum.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The handler's answer, including an answer with <see cref="QueryResponse.Success"/> = <see langword="false"/>.</returns>
    /// <exception cref="KernelException">
    /// <paramref name="queryType"/> is empty or <paramref name="timeout"/> is negative (<see cref="KernelErrorCode.InvalidArgument"/>),
    /// no handler is registered for it (<see cref="KernelErrorCode.NotFound"/>), the handler did not answer in time
    /// (<see cref="KernelErrorCode.Timeout"/>), or the handler failed (its own <see cref="KernelException"/>, or
    /// <see cref="KernelErrorCode.Internal"/> wrapping any other exception).
    /// </exception>
    Task<QueryResponse> QueryAsync(string queryType, JsonElement? payload = null, string source = "", TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Subscribes to events and returns them as a stream.</summary>
    /// <remarks>
    /// The subscription is registered when this method is called, before the stream is enumerated, so no event published
    /// after the call is missed. The stream has one reader and never ends by itself: it ends when the consumer stops
    /// enumerating it or <paramref name="cancellationToken"/> is cancelled, and the subscription is removed at that point.
    /// A pattern is an exact event type, <c>prefix.*</c> (any type that starts with <c>prefix.</c>) or <c>*</c> (every
    /// type); an event that matches several patterns of one subscription is delivered to it once.
    /// </remarks>
    /// <param name="eventTypes">The patterns to subscribe to; at least one, none empty.</param>
    /// <param name="subscriberId">The subscriber's id; <see langword="null"/> or empty generates <c>sub-</c> followed by 32 hex digits.</param>
    /// <param name="cancellationToken">The token that ends the subscription.</param>
    /// <returns>The events, in the order they were published.</returns>
    /// <exception cref="KernelException"><paramref name="eventTypes"/> is <see langword="null"/>, empty, or has an empty pattern (<see cref="KernelErrorCode.InvalidArgument"/>).</exception>
    IAsyncEnumerable<BusEvent> SubscribeAsync(IReadOnlyCollection<string> eventTypes, string? subscriberId = null, CancellationToken cancellationToken = default);
}
