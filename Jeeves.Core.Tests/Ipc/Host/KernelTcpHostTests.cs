using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Jeeves.Ipc;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Ipc.Host;

public sealed class KernelTcpHostTests
{
    [Test]
    public async Task StartAsync_PortZero_ExposesTheBoundLoopbackEndPoint()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync();

        // Act
        var endPoint = (IPEndPoint)kit.EndPoint;

        // Assert
        Assert.That(endPoint.Address, Is.EqualTo(IPAddress.Loopback));
        Assert.That(endPoint.Port, Is.GreaterThan(0));
    }

    [Test]
    public async Task CreateThenGetProcess_RoundTripsOverTheSocket()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync();
        WireClient client = await kit.ConnectAsync();

        // Act
        WireReply created = await client.CallAsync("c1", "kernel", "CreateProcess", """{"pid":"p1","user_id":"u1"}""");
        WireReply got = await client.CallAsync("g1", "kernel", "GetProcess", """{"pid":"p1"}""");

        // Assert
        Assert.That((created.Type, created.Id, created.Ok), Is.EqualTo((FrameType.Response, "c1", true)));
        Assert.That((got.Type, got.Id, got.Ok), Is.EqualTo((FrameType.Response, "g1", true)));
        Assert.That(got.Body!["pid"]!.GetValue<string>(), Is.EqualTo("p1"));
        Assert.That(got.Body!["state"]!.GetValue<string>(), Is.EqualTo("READY"));
        Assert.That(kit.Host.ActiveConnections, Is.EqualTo(1));
    }

    [Test]
    public async Task Pipelining_TenRequestsInOneWrite_AnsweredInRequestOrder()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync();
        WireClient client = await kit.ConnectAsync();
        string[] methods = ["GetQuotaDefaults", "GetProcessCounts", "GetSystemStatus", "ListProcesses"];
        byte[] all = Enumerable.Range(0, 10)
            .SelectMany(i => i % 3 == 1
                ? WireClient.Request($"r{i}", "kernel", "CreateProcess", $$"""{"pid":"p{{i}}","user_id":"u"}""")
                : WireClient.Request($"r{i}", "kernel", methods[i % methods.Length]))
            .ToArray();

        // Act
        await client.SendRawAsync(all);
        var replies = new List<WireReply>();
        for (int i = 0; i < 10; i++)
        {
            replies.Add(await client.ReadReplyAsync());
        }

        // Assert
        Assert.That(replies.Select(r => r.Id), Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"r{i}")));
        Assert.That(replies.All(r => r.Type == FrameType.Response && r.Ok), Is.True);
    }

    [Test]
    public async Task UnknownServiceOrMethod_ErrorFrame_ConnectionStaysOpen()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync();
        WireClient client = await kit.ConnectAsync();

        // Act
        WireReply service = await client.CallAsync("test-1", "nonexistent", "Foo");
        WireReply method = await client.CallAsync("x", "kernel", "Foo");
        WireReply after = await client.CallAsync("y", "kernel", "GetSystemStatus");

        // Assert
        Assert.That((service.Type, service.Id, service.ErrorCode, service.ErrorMessage),
            Is.EqualTo((FrameType.Error, "test-1", "NOT_FOUND", "not found: Unknown service: nonexistent")));
        Assert.That((method.Id, method.ErrorCode, method.ErrorMessage), Is.EqualTo(("x", "NOT_FOUND", "not found: Unknown kernel method: Foo")));
        Assert.That((after.Type, after.Ok), Is.EqualTo((FrameType.Response, true)));
    }

    [Test]
    public async Task BadRequestMaps_ErrorFrames_ConnectionStaysOpen()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync();
        WireClient client = await kit.ConnectAsync();
        using var writer = new FrameWriter();
        byte[] wrongType = writer.WriteRaw((FrameType)0x02, WireClient.Request("a", "kernel", "GetSystemStatus").AsSpan(5)).ToArray();
        byte[] array = writer.WriteRaw(FrameType.Request, [0x92, 0xa2, (byte)'r', (byte)'1', 0xa6, .. "kernel"u8]).ToArray();
        byte[] reserved = writer.WriteRaw(FrameType.Request, [0xc1]).ToArray();

        // Act
        await client.SendRawAsync(wrongType);
        WireReply type = await client.ReadReplyAsync();
        await client.SendRawAsync(array);
        WireReply shape = await client.ReadReplyAsync();
        await client.SendRawAsync(reserved);
        WireReply msgpack = await client.ReadReplyAsync();
        WireReply fieldType = await client.CallAsync("f", "kernel", "GetProcess", """{"pid":5}""");
        WireReply after = await client.CallAsync("ok", "kernel", "GetSystemStatus");

        // Assert
        Assert.That((type.Type, type.Id, type.ErrorCode, type.ErrorMessage),
            Is.EqualTo((FrameType.Error, "", "INVALID_ARGUMENT", "Unexpected message type: 0x02")));
        Assert.That((shape.Id, shape.ErrorCode, shape.ErrorMessage), Is.EqualTo(("", "INVALID_ARGUMENT", "Missing required request field: id")));
        Assert.That((msgpack.Id, msgpack.ErrorCode), Is.EqualTo(("", "INVALID_ARGUMENT")));
        Assert.That(msgpack.ErrorMessage, Does.StartWith("Invalid msgpack: "));
        Assert.That((fieldType.Id, fieldType.ErrorCode), Is.EqualTo(("f", "INVALID_ARGUMENT")));
        Assert.That((after.Id, after.Ok), Is.EqualTo(("ok", true)));
    }

    private static IEnumerable<TestCaseData> UnparseableFrames()
    {
        yield return new TestCaseData(new byte[] { 0, 0, 0, 0 }).SetArgDisplayNames("zero length");
        yield return new TestCaseData(new byte[] { 0x00, 0x50, 0x00, 0x01, 1, 2, 3 }).SetArgDisplayNames("one above the maximum");
        yield return new TestCaseData(new byte[] { 0xff, 0xff, 0xff, 0xff, 1 }).SetArgDisplayNames("absurd length");
        yield return new TestCaseData("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray()).SetArgDisplayNames("garbage bytes");
    }

    [TestCaseSource(nameof(UnparseableFrames))]
    public async Task UnparseableFrame_ClosesOnlyThatConnection_KernelUntouched(byte[] bytes)
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync();
        WireClient other = await kit.ConnectAsync();
        Assert.That((await other.CallAsync("c", "kernel", "CreateProcess", """{"pid":"p1","user_id":"u"}""")).Ok, Is.True);
        string before = await kit.SnapshotAsync();
        WireClient bad = await kit.ConnectAsync();

        // Act
        await bad.SendRawAsync(bytes);

        // Assert
        await bad.AssertClosedAsync();
        Assert.That((await other.CallAsync("g", "kernel", "GetProcess", """{"pid":"p1"}""")).Ok, Is.True);
        Assert.That(await kit.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task TruncatedFrame_PeerHalfCloses_ConnectionClosedWithoutReply()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync();
        WireClient client = await kit.ConnectAsync();

        // Act: a prefix declaring 100 bytes, 5 of them, then the end of the client's stream.
        await client.SendRawAsync([0, 0, 0, 100, 1, 0x84, 0xa2, (byte)'i', (byte)'d']);
        client.Socket.Shutdown(SocketShutdown.Send);

        // Assert
        await client.AssertClosedAsync();
        Assert.That((await (await kit.ConnectAsync()).CallAsync("s", "kernel", "GetSystemStatus")).Ok, Is.True);
    }

    [Test]
    public async Task QueueFull_AnswersTheExactRetryableBody_ThenRecovers()
    {
        // Arrange: a kernel queue of 1 and a clock that can hold the kernel actor inside a command.
        using var clock = new GateTimeProvider();
        await using HostTestKit kit = await HostTestKit.StartAsync(kernelOptions: new KernelOptions { QueueCapacity = 1 }, kernelTime: clock);
        WireClient first = await kit.ConnectAsync();
        WireClient third = await kit.ConnectAsync();

        // Act: the actor blocks inside the first request, a second request fills the queue, the third finds it full.
        clock.Arm();
        await first.SendAsync("q1", "kernel", "CreateProcess", """{"pid":"p1","user_id":"u"}""");
        await clock.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        Task<JsonNode> second = IpcMethodTable.Default.DispatchAsync(kit.Kernel, "kernel", "GetSystemStatus", null).AsTask();
        WireReply full = await third.CallAsync("q3", "kernel", "GetSystemStatus");
        clock.Release();

        // Assert
        Assert.That((full.Type, full.Id, full.Ok), Is.EqualTo((FrameType.Error, "q3", false)));
        Assert.That(full.Error!.ToJsonString(), Is.EqualTo(
            """{"code":"RESOURCE_EXHAUSTED","kernel_queue_capacity":1,"message":"Kernel request queue is full; retry shortly","retryable":true}"""));
        Assert.That((await first.ReadReplyAsync()).Ok, Is.True);
        Assert.That(await second, Is.Not.Null);
        Assert.That((await third.CallAsync("q4", "kernel", "GetSystemStatus")).Ok, Is.True);
    }

    [Test]
    public async Task MaxConnections_ExtraConnectionAcceptedThenClosed_SlotFreedOnClose()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync(o => o.MaxConnections = 1);
        WireClient first = await kit.ConnectAsync();
        Assert.That((await first.CallAsync("a", "kernel", "GetSystemStatus")).Ok, Is.True);

        // Act
        WireClient second = await kit.ConnectAsync();

        // Assert
        await second.AssertClosedAsync();
        Assert.That((await first.CallAsync("b", "kernel", "GetSystemStatus")).Ok, Is.True);
        await first.DisposeAsync();
        await HostTestKit.EventuallyAsync(() => kit.Host.ActiveConnections == 0);
        Assert.That((await (await kit.ConnectAsync()).CallAsync("c", "kernel", "GetSystemStatus")).Ok, Is.True);
    }

    [Test]
    public async Task AuthToken_FirstRequestNotAuthenticate_Unauthenticated_AndClosed()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync(o => o.AuthToken = "s3cret");
        WireClient client = await kit.ConnectAsync();

        // Act
        WireReply reply = await client.CallAsync("r1", "kernel", "GetSystemStatus");

        // Assert
        Assert.That((reply.Type, reply.Id, reply.ErrorCode), Is.EqualTo((FrameType.Error, "r1", "UNAUTHENTICATED")));
        await client.AssertClosedAsync();
    }

    [Test]
    public async Task AuthToken_WrongToken_Unauthenticated_AndClosed()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync(o => o.AuthToken = "s3cret");
        WireClient client = await kit.ConnectAsync();

        // Act
        WireReply reply = await client.CallAsync("a1", "auth", "Authenticate", """{"token":"guess"}""");

        // Assert
        Assert.That((reply.Type, reply.Id, reply.ErrorCode), Is.EqualTo((FrameType.Error, "a1", "UNAUTHENTICATED")));
        await client.AssertClosedAsync();
    }

    [Test]
    public async Task AuthToken_RightToken_OtherCallsWork()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync(o => o.AuthToken = "s3cret");
        WireClient client = await kit.ConnectAsync();

        // Act
        WireReply auth = await client.CallAsync("a1", "auth", "Authenticate", """{"token":"s3cret"}""");
        WireReply status = await client.CallAsync("r1", "kernel", "GetSystemStatus");

        // Assert
        Assert.That((auth.Type, auth.Id, auth.Body!.ToJsonString()), Is.EqualTo((FrameType.Response, "a1", """{"authenticated":true}""")));
        Assert.That((status.Type, status.Ok), Is.EqualTo((FrameType.Response, true)));
    }

    [Test]
    public async Task Constructor_NonLoopbackAddress_RefusedWithoutAllowAndToken()
    {
        // Arrange
        await using IKernelClient kernel = KernelClient.CreateInProcess();

        // Act / Assert: nothing is bound; only the constructor's checks run.
        Assert.Throws<ArgumentException>(() => _ = new KernelTcpHost(kernel, new TcpHostOptions { Address = IPAddress.Any }));
        Assert.Throws<ArgumentException>(() => _ = new KernelTcpHost(kernel, new TcpHostOptions { Address = IPAddress.Any, AuthToken = "t" }));
        Assert.Throws<ArgumentException>(() => _ = new KernelTcpHost(kernel, new TcpHostOptions { Address = IPAddress.Any, AllowNonLoopback = true }));
        await using var allowed = new KernelTcpHost(kernel, new TcpHostOptions { Address = IPAddress.Any, AllowNonLoopback = true, AuthToken = "t" });
        Assert.That(allowed.LocalEndPoint, Is.Null);
    }

    [Test]
    public void Options_InvalidValues_RefusedBySetters()
    {
        var options = new TcpHostOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Port = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.Port = 65536);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxConnections = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxFrameBytes = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.ReadTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.IdleTimeout = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.WriteTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.StreamCapacity = 0);
        Assert.Throws<ArgumentException>(() => options.AuthToken = "");
        Assert.Throws<ArgumentNullException>(() => options.Address = null!);
        Assert.That((options.Port, options.MaxConnections, options.MaxFrameBytes, options.ReadTimeout, options.IdleTimeout, options.WriteTimeout, options.StreamCapacity),
            Is.EqualTo((50051, 1000, 5 * 1024 * 1024, TimeSpan.FromSeconds(30), (TimeSpan?)null, TimeSpan.FromSeconds(10), 64)));
    }

    [Test]
    public async Task ReadTimeout_FrameStartedButIncomplete_ClosesAfterTimeout()
    {
        // Arrange
        var time = new FakeTimeProvider(TestKernel.Epoch);
        await using HostTestKit kit = await HostTestKit.StartAsync(o => o.ReadTimeout = TimeSpan.FromSeconds(5), hostTime: time);
        WireClient client = await kit.ConnectAsync();
        var closed = client.Socket.ReceiveAsync(new byte[1], SocketFlags.None);

        // Act: 3 of the 5 bytes of a frame; the timer starts when the host sees them.
        await client.SendRawAsync([0, 0, 0]);
        time.Advance(TimeSpan.FromSeconds(4));
        bool openBeforeTimeout = !closed.IsCompleted;
        await AdvanceUntilAsync(time, TimeSpan.FromSeconds(5), closed);

        // Assert
        Assert.That(openBeforeTimeout, Is.True);
        Assert.That(await closed, Is.Zero);
    }

    [Test]
    public async Task IdleConnection_NoIdleTimeout_StaysOpenBetweenFrames()
    {
        // Arrange
        var time = new FakeTimeProvider(TestKernel.Epoch);
        await using HostTestKit kit = await HostTestKit.StartAsync(o => o.ReadTimeout = TimeSpan.FromSeconds(1), hostTime: time);
        WireClient client = await kit.ConnectAsync();
        Assert.That((await client.CallAsync("a", "kernel", "GetSystemStatus")).Ok, Is.True);

        // Act
        time.Advance(TimeSpan.FromHours(1));

        // Assert
        Assert.That((await client.CallAsync("b", "kernel", "GetSystemStatus")).Ok, Is.True);
    }

    [Test]
    public async Task IdleTimeout_Configured_ClosesAnIdleConnection()
    {
        // Arrange
        var time = new FakeTimeProvider(TestKernel.Epoch);
        await using HostTestKit kit = await HostTestKit.StartAsync(o => o.IdleTimeout = TimeSpan.FromSeconds(10), hostTime: time);
        WireClient client = await kit.ConnectAsync();
        Assert.That((await client.CallAsync("a", "kernel", "GetSystemStatus")).Ok, Is.True);
        var closed = client.Socket.ReceiveAsync(new byte[1], SocketFlags.None);

        // Act
        await AdvanceUntilAsync(time, TimeSpan.FromSeconds(10), closed);

        // Assert
        Assert.That(await closed, Is.Zero);
    }

    [Test]
    public async Task Subscribe_PublishedEvents_ArriveAsChunks()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync();
        WireClient subscriber = await kit.ConnectAsync();
        WireClient publisher = await kit.ConnectAsync();
        await subscriber.SendAsync("sub-1", "commbus", "Subscribe", """{"event_types":["test.event"]}""");

        // Act: no acknowledgement is sent, so publish until the subscription counts as a delivery.
        await PublishUntilDeliveredAsync(publisher, """{"n":1}""");
        WireReply first = await subscriber.ReadReplyAsync();
        WireReply published = await publisher.CallAsync("p2", "commbus", "Publish", """{"event_type":"test.event","payload":"{\"n\":2}","source":"t"}""");
        WireReply second = await subscriber.ReadReplyAsync();

        // Assert
        Assert.That((first.Type, first.Id), Is.EqualTo((FrameType.StreamChunk, "sub-1")));
        Assert.That(first.Body!["event_type"]!.GetValue<string>(), Is.EqualTo("test.event"));
        Assert.That(first.Body!["payload"]!.GetValue<string>(), Is.EqualTo("""{"n":1}"""));
        Assert.That(published.Body!["delivered"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That((second.Type, second.Body!["payload"]!.GetValue<string>()), Is.EqualTo((FrameType.StreamChunk, """{"n":2}""")));
    }

    [Test]
    public async Task Subscribe_InvalidRequest_ErrorFrame_ConnectionStaysOpen()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync();
        WireClient client = await kit.ConnectAsync();

        // Act
        WireReply refused = await client.CallAsync("s", "commbus", "Subscribe", """{"event_types":[]}""");
        WireReply after = await client.CallAsync("ok", "kernel", "GetSystemStatus");

        // Assert
        Assert.That((refused.Type, refused.Id, refused.ErrorCode), Is.EqualTo((FrameType.Error, "s", "INVALID_ARGUMENT")));
        Assert.That(after.Ok, Is.True);
    }

    [Test]
    public async Task StopAsync_ClosesIdleConnectionsAndStreams_AndStopsListening()
    {
        // Arrange
        await using HostTestKit kit = await HostTestKit.StartAsync();
        WireClient idle = await kit.ConnectAsync();
        Assert.That((await idle.CallAsync("a", "kernel", "GetSystemStatus")).Ok, Is.True);
        WireClient subscriber = await kit.ConnectAsync();
        WireClient publisher = await kit.ConnectAsync();
        await subscriber.SendAsync("sub-1", "commbus", "Subscribe", """{"event_types":["test.event"]}""");
        await PublishUntilDeliveredAsync(publisher, "{}");
        Assert.That((await subscriber.ReadReplyAsync()).Type, Is.EqualTo(FrameType.StreamChunk));

        // Act
        await kit.Host.StopAsync(CancellationToken.None);

        // Assert
        await idle.AssertClosedAsync();
        WireReply end = await subscriber.ReadReplyAsync();
        Assert.That((end.Type, end.Id), Is.EqualTo((FrameType.StreamEnd, "sub-1")));
        await subscriber.AssertClosedAsync();
        await publisher.AssertClosedAsync();
        Assert.That(kit.Host.ActiveConnections, Is.Zero);
        Assert.ThrowsAsync<SocketException>(async () => await WireClient.ConnectAsync(kit.EndPoint));
    }

    private static async Task PublishUntilDeliveredAsync(WireClient publisher, string payload)
    {
        string body = new JsonObject { ["event_type"] = "test.event", ["payload"] = payload, ["source"] = "t" }.ToJsonString();
        for (int i = 0; i < 1000; i++)
        {
            WireReply reply = await publisher.CallAsync($"p{i}", "commbus", "Publish", body);
            if (reply.Body!["delivered"]!.GetValue<long>() > 0)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        Assert.Fail("the subscription never registered");
    }

    /// <summary>
    /// Advances the fake clock by <paramref name="step"/> until the host closes the connection. The host arms its timer
    /// on its own thread, so one step may come before the timer exists; the next one then fires it.
    /// </summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, TimeSpan step, Task closed)
    {
        for (int i = 0; i < 200 && !closed.IsCompleted; i++)
        {
            time.Advance(step);
            await Task.WhenAny(closed, Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System));
        }

        Assert.That(closed.IsCompleted, Is.True, "the host did not close the connection");
    }
}

/// <summary>A system clock that can hold the first caller after <see cref="Arm"/> (the kernel actor) until <see cref="Release"/>.</summary>
internal sealed class GateTimeProvider : TimeProvider, IDisposable
{
    private readonly ManualResetEventSlim _released = new(false);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _armed;

    public Task Entered => _entered.Task;

    public void Arm() => Volatile.Write(ref _armed, 1);

    public void Release() => _released.Set();

    public override DateTimeOffset GetUtcNow()
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _entered.TrySetResult();
            _released.Wait(TimeSpan.FromSeconds(10));
        }

        return System.GetUtcNow();
    }

    public void Dispose() => _released.Dispose();
}
