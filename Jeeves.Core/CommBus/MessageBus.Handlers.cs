using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Jeeves.CommBus;
using CommandHandler = System.Func<Jeeves.BusCommand, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask>;
using QueryHandler = System.Func<Jeeves.BusQuery, System.Threading.CancellationToken, System.Threading.Tasks.ValueTask<Jeeves.QueryResponse>>;

namespace Jeeves;

/// <content>Commands and queries: one handler per type, invoked on the sender's thread and awaited outside any lock.</content>
public sealed partial class MessageBus
{
    private readonly ConcurrentDictionary<string, HandlerRegistration<CommandHandler>> _commandHandlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HandlerRegistration<QueryHandler>> _queryHandlers = new(StringComparer.Ordinal);

    /// <summary>Gets the number of command types with a handler.</summary>
    internal int CommandHandlerCount => _commandHandlers.Count;

    /// <summary>Gets the number of query types with a handler.</summary>
    internal int QueryHandlerCount => _queryHandlers.Count;

    /// <summary>Registers the handler of a command type.</summary>
    /// <remarks>
    /// The handler runs on the sender's thread, receives the sender's cancellation token, and the sender waits for it to
    /// finish. An exception it throws reaches the sender.
    /// </remarks>
    /// <param name="commandType">The command type; must not be empty or white space.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>The registration; disposing it unregisters the handler, after which another can be registered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="KernelException">
    /// <paramref name="commandType"/> is empty (<see cref="KernelErrorCode.InvalidArgument"/>), or it already has a
    /// handler (<see cref="KernelErrorCode.AlreadyExists"/>).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The bus is disposed.</exception>
    public IDisposable RegisterCommandHandler(string commandType, Func<BusCommand, CancellationToken, ValueTask> handler)
    {
        RequireType(commandType, "command_type");
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var registration = new HandlerRegistration<CommandHandler>(_commandHandlers, commandType, handler);
        return _commandHandlers.TryAdd(commandType, registration)
            ? registration
            : throw KernelErrors.AlreadyExists("Command handler already registered: " + commandType);
    }

    /// <summary>Registers the handler of a query type.</summary>
    /// <remarks>
    /// The handler runs on the sender's thread. Its cancellation token is cancelled when the query times out or the
    /// sender cancels; a handler that answers after that is ignored.
    /// </remarks>
    /// <param name="queryType">The query type; must not be empty or white space.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>The registration; disposing it unregisters the handler, after which another can be registered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="KernelException">
    /// <paramref name="queryType"/> is empty (<see cref="KernelErrorCode.InvalidArgument"/>), or it already has a
    /// handler (<see cref="KernelErrorCode.AlreadyExists"/>).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The bus is disposed.</exception>
    public IDisposable RegisterQueryHandler(string queryType, Func<BusQuery, CancellationToken, ValueTask<QueryResponse>> handler)
    {
        RequireType(queryType, "query_type");
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var registration = new HandlerRegistration<QueryHandler>(_queryHandlers, queryType, handler);
        return _queryHandlers.TryAdd(queryType, registration)
            ? registration
            : throw KernelErrors.AlreadyExists("Query handler already registered: " + queryType);
    }

    /// <inheritdoc/>
    /// <remarks>A command counts in <see cref="CommBusStatistics.CommandsSent"/> once its handler has completed without failing.</remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The bus is disposed.</exception>
    public async Task SendAsync(string commandType, JsonElement? payload = null, string source = "", CancellationToken cancellationToken = default)
    {
        RequireType(commandType, "command_type");
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_commandHandlers.TryGetValue(commandType, out HandlerRegistration<CommandHandler>? registration))
        {
            throw KernelErrors.NotFound("No handler registered for command type: " + commandType);
        }

        var command = new BusCommand(commandType, PayloadOrEmpty(payload), source ?? string.Empty);
        try
        {
            await registration.Handler(command, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsHandlerFault(ex, cancellationToken))
        {
            throw KernelErrors.Internal($"Command handler failed: {commandType}: {ex.Message}", ex);
        }

        _ = Interlocked.Increment(ref _commandsSent);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The timeout runs on the bus clock. A zero timeout fails at once without calling the handler. Every answer counts
    /// in <see cref="CommBusStatistics.QueriesExecuted"/>, including one with <see cref="QueryResponse.Success"/> =
    /// <see langword="false"/>.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The bus is disposed.</exception>
    public async Task<QueryResponse> QueryAsync(string queryType, JsonElement? payload = null, string source = "", TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        RequireType(queryType, "query_type");
        TimeSpan wait = timeout ?? _defaultQueryTimeout;
        if (wait < TimeSpan.Zero)
        {
            throw KernelErrors.Validation(string.Create(CultureInfo.InvariantCulture, $"timeout_ms must be non-negative, got {(long)wait.TotalMilliseconds}"));
        }

        wait = wait > _maxQueryTimeout ? _maxQueryTimeout : wait;
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_queryHandlers.TryGetValue(queryType, out HandlerRegistration<QueryHandler>? registration))
        {
            throw KernelErrors.NotFound("No handler registered for query type: " + queryType);
        }

        var query = new BusQuery(queryType, PayloadOrEmpty(payload), source ?? string.Empty, wait);
        if (wait == TimeSpan.Zero)
        {
            throw QueryTimedOut(query);
        }

        // One timer, on the bus clock: its token both tells the handler to stop and ends the wait below.
        using var timeoutSource = new CancellationTokenSource(wait, _timeProvider);
        using CancellationTokenSource? linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token)
            : null;
        CancellationToken handlerToken = linked?.Token ?? timeoutSource.Token;
        Task<QueryResponse>? pending = null;
        QueryResponse? response;
        try
        {
            ValueTask<QueryResponse> reply = registration.Handler(query, handlerToken);
            if (reply.IsCompleted)
            {
                response = await reply.ConfigureAwait(false);
            }
            else
            {
                pending = reply.AsTask();
                response = await pending.WaitAsync(handlerToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            ObserveAbandoned(pending);
            throw QueryTimedOut(query);
        }
        catch (Exception ex) when (IsHandlerFault(ex, cancellationToken))
        {
            throw KernelErrors.Internal($"Query handler failed: {queryType}: {ex.Message}", ex);
        }

        if (response is null)
        {
            throw KernelErrors.Internal("Query response channel closed: " + queryType);
        }

        _ = Interlocked.Increment(ref _queriesExecuted);
        return response;
    }

    /// <summary>Tells a handler's own failure (wrapped as Internal) from a kernel error or the sender's cancellation (passed through).</summary>
    private static bool IsHandlerFault(Exception ex, CancellationToken cancellationToken) =>
        ex is not KernelException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private static KernelException QueryTimedOut(BusQuery query) =>
        KernelErrors.Timeout(string.Create(CultureInfo.InvariantCulture, $"Query timeout after {(long)query.Timeout.TotalMilliseconds}ms: {query.QueryType}"));

    /// <summary>Observes the eventual failure of a handler nobody waits for any more, so it is not reported as unobserved.</summary>
    private static void ObserveAbandoned(Task<QueryResponse>? pending) =>
        _ = pending?.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}
