using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Jeeves.Ipc;
using Jeeves.Tests.Ipc.Dispatch;

namespace Jeeves.Tests.Ipc.Host;

/// <summary>A real kernel behind a real <see cref="KernelTcpHost"/> on 127.0.0.1:0.</summary>
internal sealed class HostTestKit : IAsyncDisposable
{
    private readonly List<WireClient> _clients = [];

    private HostTestKit(IKernelClient kernel, KernelTcpHost host)
    {
        Kernel = kernel;
        Host = host;
    }

    public IKernelClient Kernel { get; }

    public KernelTcpHost Host { get; }

    public EndPoint EndPoint => Host.LocalEndPoint!;

    public static async Task<HostTestKit> StartAsync(
        Action<TcpHostOptions>? configure = null, KernelOptions? kernelOptions = null, TimeProvider? hostTime = null, TimeProvider? kernelTime = null)
    {
        var options = new TcpHostOptions { Port = 0 };
        configure?.Invoke(options);
        IKernelClient kernel = KernelClient.CreateInProcess(kernelOptions, kernelTime);
        var host = new KernelTcpHost(kernel, options, hostTime);
        await host.StartAsync(CancellationToken.None);
        return new HostTestKit(kernel, host);
    }

    public async Task<WireClient> ConnectAsync()
    {
        WireClient client = await WireClient.ConnectAsync(EndPoint);
        _clients.Add(client);
        return client;
    }

    /// <summary>Everything observable about processes, read over a fresh connection.</summary>
    public async Task<string> SnapshotAsync()
    {
        WireClient client = await ConnectAsync();
        WireReply processes = await client.CallAsync("snap", "kernel", "ListProcesses");
        WireReply counts = await client.CallAsync("snap", "kernel", "GetProcessCounts");
        return processes.Body!.ToJsonString() + counts.Body!.ToJsonString();
    }

    /// <summary>Polls a condition the host reaches on its own threads (a released connection slot…).</summary>
    public static async Task EventuallyAsync(Func<bool> condition)
    {
        for (int i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }

        Assert.That(condition(), Is.True, "condition not reached within 10 s");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (WireClient client in _clients)
        {
            await client.DisposeAsync();
        }

        await Host.DisposeAsync();
        await Kernel.DisposeAsync();
    }
}

/// <summary>A test client over a real socket: frames built with <see cref="FrameWriter"/>, read with <see cref="FrameReader"/>.</summary>
internal sealed class WireClient : IAsyncDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);
    private readonly NetworkStream _stream;
    private readonly PipeReader _pipe;
    private readonly FrameReader _frames;
    private readonly FrameWriter _writer = new();

    private WireClient(Socket socket)
    {
        Socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _pipe = PipeReader.Create(_stream);
        _frames = new FrameReader(_pipe);
    }

    public Socket Socket { get; }

    public static async Task<WireClient> ConnectAsync(EndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new WireClient(socket);
    }

    public static byte[] Request(string id, string service, string method, string body = "{}")
    {
        using var writer = new FrameWriter();
        return writer.WriteRequest(new WireRequest(id, service, method, DispatchTestKit.B(body))).ToArray();
    }

    public Task SendAsync(string id, string service, string method, string body = "{}") =>
        SendRawAsync(Request(id, service, method, body));

    public async Task SendRawAsync(byte[] bytes) => await Socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Reads the next frame; <see langword="null"/> when the server closed the connection.</summary>
    public async Task<WireReply?> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        Frame? frame = await _frames.ReadAsync(timeout.Token);
        return frame is { } f ? WireMessages.ParseReply(f) : null;
    }

    public async Task<WireReply> ReadReplyAsync() =>
        await ReadAsync() ?? throw new AssertionException("the server closed the connection");

    public async Task<WireReply> CallAsync(string id, string service, string method, string body = "{}")
    {
        await SendAsync(id, service, method, body);
        return await ReadReplyAsync();
    }

    /// <summary>Asserts that the server closes the connection without sending a frame.</summary>
    public async Task AssertClosedAsync()
    {
        try
        {
            WireReply? reply = await ReadAsync();
            Assert.That(reply, Is.Null, "expected the server to close the connection without a frame");
        }
        catch (IOException)
        {
            // Reset by the server: closed as well.
        }
        catch (SocketException)
        {
            // Reset by the server: closed as well.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _pipe.CompleteAsync();
        await _stream.DisposeAsync();
        _writer.Dispose();
    }
}
