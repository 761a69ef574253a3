using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Jeeves.Ipc;

/// <summary>
/// A client for a kernel in another process, reached through a <see cref="KernelTcpHost"/> (ipc.md). It implements the
/// same interfaces as the in-process client and fails with the same <see cref="KernelException"/> codes and messages.
/// </summary>
/// <remarks>
/// One connection carries every call; calls from many threads are sent one frame at a time and answered by id, in any
/// order (ipc.md §1.7). A call that gets no answer within <see cref="TcpClientOptions.RequestTimeout"/> fails with
/// <see cref="KernelErrorCode.Timeout"/>; a cancelled call throws <see cref="OperationCanceledException"/> (the kernel
/// may still run it). When the connection drops, the calls waiting on it fail with <see cref="KernelErrorCode.Unavailable"/>
/// and the next call connects again. Each <see cref="ICommBusService.SubscribeAsync"/> stream has its own connection.
/// </remarks>
public sealed class TcpKernelClient : IKernelClient
{
    private readonly EndPoint _endpoint;
    private readonly TcpClientOptions _options;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly HashSet<ClientConnection> _streams = [];
    private ClientConnection? _connection;
    private int _disposed;

    private TcpKernelClient(EndPoint endpoint, TcpClientOptions options)
    {
        _endpoint = endpoint;
        _options = options;
        Kernel = new TcpKernelService(this);
        Engine = new TcpEngineService(this);
        Orchestration = new TcpOrchestrationService(this);
        CommBus = new TcpCommBusService(this);
        Interrupts = new TcpInterruptService(this);
        Tools = new TcpToolService(this);
    }

    /// <inheritdoc/>
    public IKernelService Kernel { get; }

    /// <inheritdoc/>
    public IEngineService Engine { get; }

    /// <inheritdoc/>
    public IOrchestrationService Orchestration { get; }

    /// <inheritdoc/>
    public ICommBusService CommBus { get; }

    /// <inheritdoc/>
    public IInterruptService Interrupts { get; }

    /// <inheritdoc/>
    public IToolService Tools { get; }

    /// <summary>Connects to a kernel host, authenticating when <see cref="TcpClientOptions.AuthToken"/> is set.</summary>
    /// <param name="endpoint">The host's address.</param>
    /// <param name="options">The settings, copied now; <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The connected client.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.Unavailable"/> when the host cannot be reached;
    /// <see cref="KernelErrorCode.Unauthenticated"/> when it refuses the token.</exception>
    public static async Task<TcpKernelClient> ConnectAsync(EndPoint endpoint, TcpClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var client = new TcpKernelClient(endpoint, options?.Clone() ?? new TcpClientOptions());
        try
        {
            _ = await client.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return client;
    }

    /// <summary>Creates a client that connects on its first call, as every call does after a dropped connection.</summary>
    /// <remarks>For dependency injection, whose factories cannot await <see cref="ConnectAsync"/>.</remarks>
    internal static TcpKernelClient CreateUnconnected(EndPoint endpoint, TcpClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new TcpKernelClient(endpoint, options?.Clone() ?? new TcpClientOptions());
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _connectLock.WaitAsync().ConfigureAwait(false);
        List<ClientConnection> connections;
        try
        {
            connections = [.. _streams];
            _streams.Clear();
            if (_connection is not null)
            {
                connections.Add(_connection);
                _connection = null;
            }
        }
        finally
        {
            _connectLock.Release();
        }

        foreach (ClientConnection connection in connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connectLock.Dispose();
    }

    /// <summary>Calls a request/response method and returns its body.</summary>
    internal async Task<JsonNode?> CallAsync(string service, string method, JsonObject body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ClientConnection connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.CallAsync(service, method, body, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Calls a request/response method whose body is a map.</summary>
    internal async Task<JsonObject> CallObjectAsync(string service, string method, JsonObject body, CancellationToken cancellationToken) =>
        await CallAsync(service, method, body, cancellationToken).ConfigureAwait(false) as JsonObject
            ?? throw new KernelException(KernelErrorCode.Internal, $"internal error: {service}.{method} answered without a map");

    /// <summary>Calls a method that answers NOT_FOUND when the in-process call returns <see langword="null"/>.</summary>
    internal async Task<JsonObject?> CallOrNullAsync(string service, string method, JsonObject body, CancellationToken cancellationToken)
    {
        try
        {
            return await CallObjectAsync(service, method, body, cancellationToken).ConfigureAwait(false);
        }
        catch (KernelException ex) when (ex.Code == KernelErrorCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Opens a stream on a connection of its own; disposing the returned connection ends the stream.</summary>
    internal async Task<(ClientConnection Connection, ChannelReader<JsonNode?> Chunks)> OpenStreamAsync(
        string service, string method, JsonObject body, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ClientConnection connection = await ClientConnection.OpenAsync(_endpoint, _options, cancellationToken).ConfigureAwait(false);
        try
        {
            await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
                _ = _streams.Add(connection);
            }
            finally
            {
                _connectLock.Release();
            }

            return (connection, await connection.OpenStreamAsync(service, method, body, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            await CloseStreamAsync(connection).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes a stream's connection.</summary>
    internal async Task CloseStreamAsync(ClientConnection connection)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            await _connectLock.WaitAsync().ConfigureAwait(false);
            try
            {
                _ = _streams.Remove(connection);
            }
            finally
            {
                _connectLock.Release();
            }
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<ClientConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ClientConnection? current = Volatile.Read(ref _connection);
        if (current is { IsClosed: false })
        {
            return current;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_connection is { IsClosed: false } live)
            {
                return live;
            }

            if (_connection is { } dead)
            {
                _connection = null;
                await dead.DisposeAsync().ConfigureAwait(false);
            }

            ClientConnection fresh = await ClientConnection.OpenAsync(_endpoint, _options, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _connection, fresh);
            return fresh;
        }
        finally
        {
            _connectLock.Release();
        }
    }
}
