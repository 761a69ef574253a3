using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Jeeves.Observability;

namespace Jeeves.Ipc;

/// <summary>
/// Serves a kernel over TCP with the reference system's framed MessagePack protocol (spec/ipc.md §1), so the upstream
/// Python client can use it as it uses the Rust kernel.
/// </summary>
/// <remarks>
/// <para>
/// Each connection reads one frame at a time, dispatches it through the kernel and writes the answer as one send with
/// <see cref="Socket.NoDelay"/> set; a client may pipeline requests and gets the answers in request order.
/// Connections are independent: a bad frame, a failure or a timeout on one closes at most that one.
/// </para>
/// <para>
/// The host does not own <c>kernel</c>: stopping or disposing the host leaves it running. The members are thread
/// safe. A stopped host cannot be started again.
/// </para>
/// </remarks>
public sealed class KernelTcpHost : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly IPAddress _address;
    private readonly int _port;
    private readonly int _maxConnections;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _aborting = new();
    private readonly ConcurrentDictionary<long, TcpConnection> _connections = new();
    private readonly Lock _gate = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _lastConnectionId;
    private int _activeConnections;
    private bool _started;
    private bool _stopped;

    /// <summary>Initializes a new instance of the <see cref="KernelTcpHost"/> class.</summary>
    /// <param name="kernel">The kernel to serve; the host does not dispose it.</param>
    /// <param name="options">The host settings, copied now; <see langword="null"/> for defaults.</param>
    /// <param name="timeProvider">The clock for the read, idle and write timeouts; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger, or <see langword="null"/> for none.</param>
    /// <param name="meterFactory">
    /// The factory of the <c>Jeeves.Core</c> meter (<c>jeeves.ipc.*</c> instruments), usually the application's from
    /// dependency injection; <see langword="null"/> for a meter the host creates and disposes itself.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="kernel"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// The address is not a loopback address and <see cref="TcpHostOptions.AllowNonLoopback"/> is not set, or no
    /// <see cref="TcpHostOptions.AuthToken"/> is configured.
    /// </exception>
    public KernelTcpHost(
        IKernelClient kernel, TcpHostOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        options ??= new TcpHostOptions();
        if (options.CrossFieldError() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        Kernel = kernel;
        Time = timeProvider ?? TimeProvider.System;
        Logger = logger ?? NullLogger.Instance;
        _address = options.Address;
        _port = options.Port;
        _maxConnections = options.MaxConnections;
        AuthToken = options.AuthToken is null ? null : Encoding.UTF8.GetBytes(options.AuthToken);
        MaxFrameBytes = options.MaxFrameBytes;
        ReadTimeout = options.ReadTimeout;
        IdleTimeout = options.IdleTimeout;
        WriteTimeout = options.WriteTimeout;
        StreamCapacity = options.StreamCapacity;
        Metrics = new KernelMetrics(meterFactory);
    }

    /// <summary>Gets the endpoint the host listens on once started, with the real port when <see cref="TcpHostOptions.Port"/> is 0.</summary>
    /// <value><see langword="null"/> until <see cref="StartAsync"/> has bound the socket.</value>
    public EndPoint? LocalEndPoint { get; private set; }

    /// <summary>Gets the number of connections being served.</summary>
    public int ActiveConnections => Volatile.Read(ref _activeConnections);

    internal IKernelClient Kernel { get; }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    internal byte[]? AuthToken { get; }

    internal int MaxFrameBytes { get; }

    internal TimeSpan ReadTimeout { get; }

    internal TimeSpan? IdleTimeout { get; }

    internal TimeSpan WriteTimeout { get; }

    internal int StreamCapacity { get; }

    internal KernelMetrics Metrics { get; }

    /// <summary>Gets a token cancelled when the host begins to stop: idle connections close and streams end.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>Gets a token cancelled when the host gives up waiting: requests in progress are abandoned.</summary>
    internal CancellationToken Aborting => _aborting.Token;

    /// <summary>Binds the listening socket and starts accepting connections.</summary>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A task that completes once the socket is bound and <see cref="LocalEndPoint"/> is set.</returns>
    /// <exception cref="InvalidOperationException">The host was already started.</exception>
    /// <exception cref="SocketException">The address cannot be bound, for example because the port is taken.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("The host was already started; a stopped host cannot be started again.");
            }

            var listener = new Socket(_address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.Bind(new IPEndPoint(_address, _port));
                listener.Listen(512);
            }
            catch
            {
                listener.Dispose();
                throw;
            }

            _started = true;
            _listener = listener;
            LocalEndPoint = listener.LocalEndPoint;
            _acceptLoop = Task.Run(() => AcceptLoopAsync(listener), CancellationToken.None);
        }

        Logger.HostStarted(LocalEndPoint);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops accepting connections, closes the connections waiting for a frame, ends streams, and waits for requests in
    /// progress to be answered.
    /// </summary>
    /// <param name="cancellationToken">When cancelled, the host stops waiting: requests in progress are abandoned and their connections closed.</param>
    /// <returns>A task that completes when every connection is closed.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        bool first = false;
        lock (_gate)
        {
            if (!_started)
            {
                _started = true;
                _stopped = true;
                return;
            }

            if (!_stopped)
            {
                first = true;
                _stopped = true;
                _stopping.Cancel();
                _listener?.Dispose();
            }
        }

        await _acceptLoop.ConfigureAwait(false);
        TcpConnection[] open = [.. _connections.Values];
        Task all = Task.WhenAll(open.Select(static c => c.Completion));
        int aborted = 0;
        try
        {
            await all.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            aborted = open.Count(static c => !c.Completion.IsCompleted);
            await _aborting.CancelAsync().ConfigureAwait(false);
            foreach (TcpConnection connection in open)
            {
                connection.Abort();
            }

            await all.ConfigureAwait(false);
        }

        if (first || aborted > 0)
        {
            // Stop then dispose (the usual pair) reports once.
            Logger.HostStopped(aborted);
        }
    }

    /// <summary>Stops the host without waiting for requests in progress (see <see cref="StopAsync"/>).</summary>
    /// <returns>A task that completes when every connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        using (var now = new CancellationTokenSource())
        {
            await now.CancelAsync().ConfigureAwait(false);
            await StopAsync(now.Token).ConfigureAwait(false);
        }

        _stopping.Dispose();
        _aborting.Dispose();
        Metrics.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (_stopping.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Upstream's serve loop exits on an accept error (EMFILE…); this one waits a little and goes on.
                Logger.AcceptFailed(ex);
                try
                {
                    await Task.Delay(AcceptRetryDelay, Time, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            Admit(socket);
        }
    }

    private void Admit(Socket socket)
    {
        EndPoint? remote = null;
        try
        {
            remote = socket.RemoteEndPoint;
            socket.NoDelay = true;
        }
        catch (SocketException)
        {
            // The peer is already gone; the connection loop sees that at its first read.
        }

        // Accept, then close at once: no frame, as upstream does at max_connections (§1.6).
        if (Interlocked.Increment(ref _activeConnections) > _maxConnections)
        {
            Interlocked.Decrement(ref _activeConnections);
            Logger.ConnectionLimitReached(remote, _maxConnections);
            socket.Dispose();
            return;
        }

        Metrics.IpcActiveConnections.Add(1);
        long id = ++_lastConnectionId;
        var connection = new TcpConnection(this, socket, id, remote);
        _connections[id] = connection;
        Logger.ConnectionAccepted(id, remote);

        // Completion is set before StopAsync can look at it: StopAsync waits for this loop first.
        connection.Completion = Task.Run(async () =>
        {
            try
            {
                await connection.RunAsync().ConfigureAwait(false);
            }
            finally
            {
                connection.Abort();
                _connections.TryRemove(id, out _);
                Interlocked.Decrement(ref _activeConnections);
                Metrics.IpcActiveConnections.Add(-1);
                Logger.ConnectionClosed(id);
            }
        }, CancellationToken.None);
    }
}
