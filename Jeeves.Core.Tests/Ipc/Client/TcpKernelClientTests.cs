using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Jeeves.Ipc;
using Jeeves.Tests.Ipc.Host;

namespace Jeeves.Tests.Ipc.Client;

/// <summary>What only the TCP client does: pipelining, timeouts, cancellation, reconnection, authentication.</summary>
[TestFixture]
public sealed class TcpKernelClientTests
{
    [Test]
    public async Task HundredConcurrentCalls_OnOneConnection_AreAllAnswered()
    {
        await using HostTestKit kit = await HostTestKit.StartAsync();
        await using TcpKernelClient client = await TcpKernelClient.ConnectAsync(kit.EndPoint);
        ProcessInfo[] created = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(i => Task.Run(() => client.Kernel.CreateProcessAsync(new ProcessId("p" + i), new CreateProcessOptions { UserId = new UserId("u" + i) }))));
        Assert.That(created.Select(p => p.Pid.Value), Is.EquivalentTo(Enumerable.Range(0, 100).Select(i => "p" + i)));
        Assert.That((await client.Kernel.GetProcessCountsAsync()).Total, Is.EqualTo(100));
        Assert.That(kit.Host.ActiveConnections, Is.EqualTo(1));
    }

    [Test]
    public void ProcessView_FromAReferenceServer_QuotaAndTimestampsTakeTheirDefaults()
    {
        // Arrange: the §5.1 view exactly as the reference kernel sends it, without our quota and timestamps.
        var view = new JsonObject
        {
            ["current_stage"] = "", ["pid"] = "p1", ["priority"] = "HIGH", ["request_id"] = "r1", ["session_id"] = "s1",
            ["state"] = "RUNNING", ["user_id"] = "u1",
            ["usage"] = new JsonObject { ["agent_hops"] = 0, ["llm_calls"] = 2, ["tokens_in"] = 3, ["tokens_out"] = 4, ["tool_calls"] = 5 },
        };

        // Act
        ProcessInfo p = ClientWire.Process(view);

        // Assert
        Assert.That((p.Pid.Value, p.State, p.Priority, p.Usage.LlmCalls), Is.EqualTo(("p1", ProcessState.Running, SchedulingPriority.High, 2)));
        Assert.That((p.Quota, p.CreatedAt, p.StartedAt, p.LastScheduledAt, p.CompletedAt),
            Is.EqualTo((ResourceQuota.Default, default(DateTimeOffset), (DateTimeOffset?)null, (DateTimeOffset?)null, (DateTimeOffset?)null)));
    }

    [Test]
    public async Task UnansweredCall_TimesOut_WithTimeoutCode()
    {
        await using var server = await SilentServer.StartAsync(answer: false);
        await using TcpKernelClient client = await TcpKernelClient.ConnectAsync(
            server.EndPoint, new TcpClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(100) });
        var ex = Assert.ThrowsAsync<KernelException>(() => client.Kernel.GetQuotaDefaultsAsync());
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.Timeout));
        Assert.That(ex.Message, Does.StartWith("timeout: kernel.GetQuotaDefaults"));
    }

    [Test]
    public async Task CancelledCall_ThrowsOperationCanceled()
    {
        await using var server = await SilentServer.StartAsync(answer: false);
        await using TcpKernelClient client = await TcpKernelClient.ConnectAsync(server.EndPoint);
        using var cts = new CancellationTokenSource();
        Task call = client.Kernel.GetQuotaDefaultsAsync(cts.Token);
        await server.RequestSeen.Task;
        await cts.CancelAsync();
        Assert.That(async () => await call, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task DroppedConnection_FailsPendingCallAsUnavailable_AndTheNextCallReconnects()
    {
        await using var server = await SilentServer.StartAsync(answer: true, dropFirst: true);
        await using TcpKernelClient client = await TcpKernelClient.ConnectAsync(server.EndPoint);
        var ex = Assert.ThrowsAsync<KernelException>(() => client.Kernel.GetQuotaDefaultsAsync());
        Assert.That((ex!.Code, ex.Message), Is.EqualTo((KernelErrorCode.Unavailable, "Connection lost")));
        Assert.That(await client.Kernel.GetQuotaDefaultsAsync(), Is.EqualTo(ResourceQuota.Default));
        Assert.That(server.Connections, Is.EqualTo(2));
    }

    [Test]
    public async Task AuthToken_IsSentFirst_AndAWrongOneIsRefused()
    {
        await using HostTestKit kit = await HostTestKit.StartAsync(o => o.AuthToken = "secret");
        await using (TcpKernelClient good = await TcpKernelClient.ConnectAsync(kit.EndPoint, new TcpClientOptions { AuthToken = "secret" }))
        {
            Assert.That((await good.Kernel.GetProcessCountsAsync()).Total, Is.EqualTo(0));
        }

        var wrong = Assert.ThrowsAsync<KernelException>(() => TcpKernelClient.ConnectAsync(kit.EndPoint, new TcpClientOptions { AuthToken = "guess" }));
        Assert.That(wrong!.Code, Is.EqualTo(KernelErrorCode.Unauthenticated));
        await using TcpKernelClient none = await TcpKernelClient.ConnectAsync(kit.EndPoint);
        var refused = Assert.ThrowsAsync<KernelException>(() => none.Kernel.GetProcessCountsAsync());
        Assert.That(refused!.Code, Is.EqualTo(KernelErrorCode.Unauthenticated));
    }

    [Test]
    public void Options_RefuseInvalidValues()
    {
        var options = new TcpClientOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.MaxFrameBytes, Is.EqualTo(5 * 1024 * 1024));
            Assert.That(() => options.RequestTimeout = TimeSpan.Zero, Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => options.MaxFrameBytes = 0, Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => options.AuthToken = string.Empty, Throws.ArgumentException);
        });
    }

    [Test]
    public async Task Connect_ToNothing_IsUnavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        EndPoint endPoint = listener.LocalEndpoint;
        listener.Stop();
        var ex = Assert.ThrowsAsync<KernelException>(() => TcpKernelClient.ConnectAsync(endPoint));
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.Unavailable));
        await Task.CompletedTask;
    }

    /// <summary>A server on 127.0.0.1 that reads requests and answers GetQuotaDefaults, or never answers, or drops its first connection.</summary>
    private sealed class SilentServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Socket> _sockets = [];
        private readonly bool _answer;
        private readonly bool _dropFirst;
        private Task _accepting = Task.CompletedTask;
        private int _connections;

        private SilentServer(bool answer, bool dropFirst)
        {
            _answer = answer;
            _dropFirst = dropFirst;
        }

        public EndPoint EndPoint => _listener.LocalEndpoint;

        public int Connections => Volatile.Read(ref _connections);

        public TaskCompletionSource RequestSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static Task<SilentServer> StartAsync(bool answer, bool dropFirst = false)
        {
            var server = new SilentServer(answer, dropFirst);
            server._listener.Start();
            server._accepting = server.AcceptAsync();
            return Task.FromResult(server);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            lock (_sockets)
            {
                foreach (Socket s in _sockets)
                {
                    s.Dispose();
                }
            }

            try
            {
                await _accepting;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_sockets)
                {
                    _sockets.Add(socket);
                }

                int n = Interlocked.Increment(ref _connections);
                _ = ServeAsync(socket, drop: _dropFirst && n == 1);
            }
        }

        private async Task ServeAsync(Socket socket, bool drop)
        {
            try
            {
                await using var stream = new NetworkStream(socket, ownsSocket: false);
                PipeReader pipe = PipeReader.Create(stream);
                var frames = new FrameReader(pipe);
                using var writer = new FrameWriter();
                while (await frames.ReadAsync(_stop.Token) is { } frame)
                {
                    WireRequest request = WireMessages.ParseRequest(frame);
                    RequestSeen.TrySetResult();
                    if (drop)
                    {
                        socket.Shutdown(SocketShutdown.Both);
                        socket.Close();
                        return;
                    }

                    if (_answer)
                    {
                        await stream.WriteAsync(writer.WriteResponse(request.Id, (JsonNode)IpcViews.Quota(ResourceQuota.Default)), _stop.Token);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // The test is over or the client went away.
            }
        }
    }
}
