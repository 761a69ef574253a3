using System.Text.Json;
using Jeeves.CommBus;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.CommBus;

/// <summary>
/// The message bus: the reference's sixteen CommBus behaviours in our semantics (NOT_FOUND and TIMEOUT codes, bounded
/// queues, pattern subscriptions, pruning), plus ordering, slow subscribers, handler failures and bad input.
/// </summary>
public sealed class MessageBusTests
{
    /// <summary>A safety net for reads that should complete at once; no test relies on it to pass.</summary>
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(30);

    private static readonly JsonElement s_empty = Json("{}");

    private static BusEvent Event(string type, string source = "test") => new(type, s_empty, TestKernel.Epoch, source);

    private static JsonElement Json(string text)
    {
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static async Task<BusEvent> NextAsync(IAsyncEnumerator<BusEvent> events)
    {
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(s_hang), Is.True, "the stream ended");
        return events.Current;
    }

    /// <summary>Reads up to and including a sentinel published last, so "nothing else arrived" needs no waiting.</summary>
    private static async Task<List<string>> ReadUntilSentinelAsync(MessageBus bus, IAsyncEnumerator<BusEvent> events, string sentinel = "sentinel")
    {
        _ = bus.Publish(Event(sentinel));
        var types = new List<string>();
        while ((await NextAsync(events)).EventType is var type && type != sentinel)
        {
            types.Add(type);
        }

        return types;
    }

    private static ValueTask<QueryResponse> Reply(string resultJson) => new(new QueryResponse(Success: true, Json(resultJson), string.Empty));

    // ---- The reference's CommBus behaviours (spec §11) ----

    [Test]
    public void Publish_NoSubscribers_ReturnsZeroAndCountsThePublish()
    {
        using var bus = new MessageBus();

        int delivered = bus.Publish(Event("nobody.listens"));

        Assert.That(delivered, Is.Zero);
        Assert.That(bus.GetStatistics().EventsPublished, Is.EqualTo(1));
    }

    [Test]
    public async Task Publish_OneSubscriber_DeliversEventWithTypeAndSource()
    {
        using var bus = new MessageBus();
        await using IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["test.event"]).GetAsyncEnumerator();

        int delivered = bus.Publish(Event("test.event", source: "p1"));
        BusEvent received = await NextAsync(events);

        Assert.That(delivered, Is.EqualTo(1));
        Assert.That((received.EventType, received.Source), Is.EqualTo(("test.event", "p1")));
    }

    [Test]
    public async Task Publish_TwoSubscribers_BothReceive()
    {
        using var bus = new MessageBus();
        await using IAsyncEnumerator<BusEvent> first = bus.SubscribeAsync(["fan"]).GetAsyncEnumerator();
        await using IAsyncEnumerator<BusEvent> second = bus.SubscribeAsync(["fan"]).GetAsyncEnumerator();

        int delivered = bus.Publish(Event("fan"));

        Assert.That(delivered, Is.EqualTo(2));
        Assert.That((await NextAsync(first)).EventType, Is.EqualTo("fan"));
        Assert.That((await NextAsync(second)).EventType, Is.EqualTo("fan"));
    }

    [Test]
    public async Task Unsubscribe_EnumeratorDisposed_ActiveSubscribersOneToZeroAndLaterPublishDeliversNothing()
    {
        using var bus = new MessageBus();
        IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["x"]).GetAsyncEnumerator();
        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.EqualTo(1));

        await events.DisposeAsync();

        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.Zero);
        Assert.That(bus.Publish(Event("x")), Is.Zero);
    }

    [Test]
    public async Task Subscribe_TwoTypes_ReceivesBothInPublishOrder()
    {
        using var bus = new MessageBus();
        await using IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["event.a", "event.b"]).GetAsyncEnumerator();

        _ = bus.Publish(Event("event.a"));
        _ = bus.Publish(Event("event.b"));

        Assert.That((await NextAsync(events)).EventType, Is.EqualTo("event.a"));
        Assert.That((await NextAsync(events)).EventType, Is.EqualTo("event.b"));
    }

    [Test]
    public void SendAsync_NoHandler_NotFound()
    {
        using var bus = new MessageBus();

        var ex = Assert.ThrowsAsync<KernelException>(() => bus.SendAsync("nobody.handles"));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(ex.Message, Is.EqualTo("not found: No handler registered for command type: nobody.handles"));
    }

    [Test]
    public async Task SendAsync_HandlerRegistered_HandlerReceivesCommandAndSendCounted()
    {
        using var bus = new MessageBus();
        BusCommand? received = null;
        CancellationToken handlerToken = default;
        using var cts = new CancellationTokenSource();
        using IDisposable registration = bus.RegisterCommandHandler("do.it", (command, ct) =>
        {
            received = command;
            handlerToken = ct;
            return ValueTask.CompletedTask;
        });

        await bus.SendAsync("do.it", Json("""{"n":1}"""), "p1", cts.Token);

        Assert.That(received, Is.Not.Null);
        Assert.That((received!.CommandType, received.Source, received.Payload.GetProperty("n").GetInt32()), Is.EqualTo(("do.it", "p1", 1)));
        Assert.That(handlerToken, Is.EqualTo(cts.Token), "the handler gets the sender's token");
        Assert.That(bus.GetStatistics().CommandsSent, Is.EqualTo(1));
        Assert.That(bus.CommandHandlerCount, Is.EqualTo(1));
    }

    [Test]
    public void RegisterCommandHandler_Twice_AlreadyExists()
    {
        using var bus = new MessageBus();
        using IDisposable first = bus.RegisterCommandHandler("dup", static (_, _) => ValueTask.CompletedTask);

        var ex = Assert.Throws<KernelException>(() => bus.RegisterCommandHandler("dup", static (_, _) => ValueTask.CompletedTask));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Assert.That(ex.Message, Is.EqualTo("already exists: Command handler already registered: dup"));
    }

    [Test]
    public async Task RegisterCommandHandler_Disposed_LaterSendFailsAndRegisterAgainSucceeds()
    {
        using var bus = new MessageBus();
        IDisposable first = bus.RegisterCommandHandler("cmd", static (_, _) => ValueTask.CompletedTask);

        first.Dispose();
        var ex = Assert.ThrowsAsync<KernelException>(() => bus.SendAsync("cmd"));
        int calls = 0;
        using IDisposable second = bus.RegisterCommandHandler("cmd", (_, _) =>
        {
            calls++;
            return ValueTask.CompletedTask;
        });
        first.Dispose();
        await bus.SendAsync("cmd");

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(calls, Is.EqualTo(1), "disposing the old registration again leaves the new one in place");
        Assert.That(bus.CommandHandlerCount, Is.EqualTo(1));
    }

    [Test]
    public void QueryAsync_NoHandler_NotFound()
    {
        using var bus = new MessageBus();

        var ex = Assert.ThrowsAsync<KernelException>(() => bus.QueryAsync("nobody.answers"));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(ex.Message, Is.EqualTo("not found: No handler registered for query type: nobody.answers"));
    }

    [Test]
    public async Task QueryAsync_HandlerReplies_ReplyReturnedAndQueryCounted()
    {
        using var bus = new MessageBus();
        using IDisposable registration = bus.RegisterQueryHandler("get.answer", static (_, _) => Reply("""{"answer":42}"""));

        QueryResponse response = await bus.QueryAsync("get.answer");

        Assert.That(response.Success, Is.True);
        Assert.That(response.Result!.Value.GetProperty("answer").GetInt32(), Is.EqualTo(42));
        Assert.That(bus.GetStatistics().QueriesExecuted, Is.EqualTo(1));
        Assert.That(bus.QueryHandlerCount, Is.EqualTo(1));
    }

    [Test]
    public void QueryAsync_SilentHandler_TimesOutAtTheTimeoutNotBefore()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        using var bus = new MessageBus(timeProvider: time);
        var never = new TaskCompletionSource<QueryResponse>();
        CancellationToken handlerToken = default;
        using IDisposable registration = bus.RegisterQueryHandler("slow", (_, ct) =>
        {
            handlerToken = ct;
            return new ValueTask<QueryResponse>(never.Task);
        });

        Task<QueryResponse> query = bus.QueryAsync("slow", timeout: TimeSpan.FromMilliseconds(100));
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.That(query.IsCompleted, Is.False, "no timeout before 100 ms");
        Assert.That(handlerToken.IsCancellationRequested, Is.False);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var ex = Assert.ThrowsAsync<KernelException>(() => query);
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.Timeout));
        Assert.That(ex.Message, Is.EqualTo("timeout: Query timeout after 100ms: slow"));
        Assert.That(handlerToken.IsCancellationRequested, Is.True, "the handler is told to stop");
        Assert.That(bus.GetStatistics().QueriesExecuted, Is.Zero);
    }

    [Test]
    public async Task QueryAsync_ErrorReply_ReturnedAsNormalResponse()
    {
        using var bus = new MessageBus();
        using IDisposable registration = bus.RegisterQueryHandler("fails", static (_, _) => new(new QueryResponse(Success: false, null, "no such record")));

        QueryResponse response = await bus.QueryAsync("fails");

        Assert.That((response.Success, response.Result, response.Error), Is.EqualTo((false, (JsonElement?)null, "no such record")));
        Assert.That(bus.GetStatistics().QueriesExecuted, Is.EqualTo(1));
    }

    [Test]
    public void RegisterQueryHandler_Disposed_LaterQueryFailsAndRegisterAgainSucceeds()
    {
        using var bus = new MessageBus();
        IDisposable first = bus.RegisterQueryHandler("q", static (_, _) => Reply("1"));

        first.Dispose();
        var ex = Assert.ThrowsAsync<KernelException>(() => bus.QueryAsync("q"));
        using IDisposable second = bus.RegisterQueryHandler("q", static (_, _) => Reply("2"));
        var duplicate = Assert.Throws<KernelException>(() => bus.RegisterQueryHandler("q", static (_, _) => Reply("3")));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(duplicate!.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Assert.That(duplicate.Message, Is.EqualTo("already exists: Query handler already registered: q"));
        Assert.That(bus.QueryHandlerCount, Is.EqualTo(1));
    }

    [Test]
    public async Task GetStatistics_New_AllZeroThenOneSubscriptionCountsOne()
    {
        using var bus = new MessageBus();
        Assert.That(bus.GetStatistics(), Is.EqualTo(CommBusStatistics.Empty));

        await using IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["a", "b", "c.*"]).GetAsyncEnumerator();

        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.EqualTo(1), "one subscription counts once, however many types it lists");
    }

    [Test]
    public async Task ResetStatistics_AfterFivePublishes_ZeroesCountersKeepsSubscribers()
    {
        using var bus = new MessageBus(new CommBusOptions { SubscriberCapacity = 2 });
        await using IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["e"]).GetAsyncEnumerator();
        using IDisposable c = bus.RegisterCommandHandler("c", static (_, _) => ValueTask.CompletedTask);
        using IDisposable q = bus.RegisterQueryHandler("q", static (_, _) => Reply("0"));
        for (int i = 0; i < 5; i++)
        {
            _ = bus.Publish(Event("e"));
        }

        await bus.SendAsync("c");
        _ = await bus.QueryAsync("q");
        Assert.That(bus.GetStatistics(), Is.EqualTo(new CommBusStatistics(5, 1, 1, 1, 3)));

        bus.ResetStatistics();

        Assert.That(bus.GetStatistics(), Is.EqualTo(new CommBusStatistics(0, 0, 0, 1, 0)));
    }

    // ---- Ordering, slow subscribers, patterns ----

    [Test]
    public async Task Publish_ManyEvents_EachSubscriberReceivesAllInPublishOrder()
    {
        using var bus = new MessageBus();
        await using IAsyncEnumerator<BusEvent> first = bus.SubscribeAsync(["n.*"]).GetAsyncEnumerator();
        await using IAsyncEnumerator<BusEvent> second = bus.SubscribeAsync(["*"]).GetAsyncEnumerator();
        string[] published = Enumerable.Range(0, 500).Select(i => "n." + i).ToArray();

        foreach (string type in published)
        {
            _ = bus.Publish(Event(type));
        }

        Assert.That(await ReadUntilSentinelAsync(bus, first, sentinel: "n.end"), Is.EqualTo(published));
        Assert.That(await ReadUntilSentinelAsync(bus, second), Is.EqualTo(published.Append("n.end")));
    }

    [Test]
    public async Task Publish_ConcurrentPublishers_EverySubscriberGetsEveryEventInEachPublishersOrder()
    {
        const int Publishers = 4;
        const int PerPublisher = 2_000;
        using var bus = new MessageBus(new CommBusOptions { SubscriberCapacity = Publishers * PerPublisher });
        await using IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["*"]).GetAsyncEnumerator();

        int[] delivered = await Task.WhenAll(Enumerable.Range(0, Publishers).Select(p => Task.Run(() =>
        {
            int sum = 0;
            for (int i = 0; i < PerPublisher; i++)
            {
                sum += bus.Publish(Event(i.ToString(System.Globalization.CultureInfo.InvariantCulture), source: "p" + p));
            }

            return sum;
        })));

        var next = new int[Publishers];
        for (int n = 0; n < Publishers * PerPublisher; n++)
        {
            BusEvent e = await NextAsync(events);
            int p = e.Source[1] - '0';
            Assert.That(e.EventType, Is.EqualTo(next[p].ToString(System.Globalization.CultureInfo.InvariantCulture)), $"publisher {p} out of order");
            next[p]++;
        }

        Assert.That(delivered, Is.All.EqualTo(PerPublisher));
        Assert.That(bus.GetStatistics().EventsPublished, Is.EqualTo(Publishers * PerPublisher));
        Assert.That(bus.GetStatistics().EventsDropped, Is.Zero);
    }

    [Test]
    public async Task Publish_SubscriberNeverReads_OthersGetEverythingAndOldestDropsAreCounted()
    {
        using var bus = new MessageBus(new CommBusOptions { SubscriberCapacity = 4 });
        await using IAsyncEnumerator<BusEvent> stalled = bus.SubscribeAsync(["tick"]).GetAsyncEnumerator();
        await using IAsyncEnumerator<BusEvent> reader = bus.SubscribeAsync(["tick"]).GetAsyncEnumerator();
        var deliveries = new List<int>();
        var received = new List<string>();

        for (int i = 0; i < 10; i++)
        {
            deliveries.Add(bus.Publish(Event("tick", source: "s" + i)));
            received.Add((await NextAsync(reader)).Source);
        }

        Assert.That(deliveries, Is.All.EqualTo(2), "a full queue drops its oldest event; the publish still delivers");
        Assert.That(received, Is.EqualTo(Enumerable.Range(0, 10).Select(i => "s" + i)));
        Assert.That(bus.GetStatistics().EventsDropped, Is.EqualTo(6));
        var kept = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            kept.Add((await NextAsync(stalled)).Source);
        }

        Assert.That(kept, Is.EqualTo(new[] { "s6", "s7", "s8", "s9" }), "the stalled subscriber keeps the newest events");
    }

    [TestCase("process.created", "process.created", true)]
    [TestCase("process.created", "process.terminated", false)]
    [TestCase("process.*", "process.created", true)]
    [TestCase("process.*", "process.state.changed", true)]
    [TestCase("process.*", "process", false)]
    [TestCase("process.*", "processes.created", false)]
    [TestCase("process.*", "frontend.process.created", false)]
    [TestCase("*", "anything.at.all", true)]
    [TestCase("proc*", "process.created", false)]
    [TestCase("Process.created", "process.created", false)]
    public void Publish_Pattern_MatchesAsDocumented(string pattern, string eventType, bool matches)
    {
        using var bus = new MessageBus();
        _ = bus.SubscribeAsync([pattern]);

        Assert.That(bus.Publish(Event(eventType)), Is.EqualTo(matches ? 1 : 0));
    }

    [Test]
    public async Task Publish_OverlappingPatterns_DeliveredOnce()
    {
        using var bus = new MessageBus();
        await using IAsyncEnumerator<BusEvent> events =
            bus.SubscribeAsync(["process.created", "process.*", "*", "process.created"]).GetAsyncEnumerator();

        int delivered = bus.Publish(Event("process.created"));

        Assert.That(delivered, Is.EqualTo(1));
        Assert.That(await ReadUntilSentinelAsync(bus, events), Is.EqualTo(new[] { "process.created" }));
        Assert.That(((Subscription)bus.SubscribeAsync(["a", "b.*", "a", "*", "b.*"])).EventTypes, Is.EqualTo(new[] { "a", "b.*", "*" }));
    }

    // ---- Pruning ----

    [Test]
    public async Task Subscription_ConsumerBreaks_Removed()
    {
        using var bus = new MessageBus();
        IAsyncEnumerable<BusEvent> stream = bus.SubscribeAsync(["a"]);
        _ = bus.Publish(Event("a"));

        await foreach (BusEvent e in stream)
        {
            Assert.That(e.EventType, Is.EqualTo("a"));
            break;
        }

        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.Zero);
        Assert.That(bus.Publish(Event("a")), Is.Zero);
    }

    [Test]
    public async Task Subscription_EnumerationCancelledWhileWaiting_ThrowsAndIsRemoved()
    {
        using var bus = new MessageBus();
        using var cts = new CancellationTokenSource();
        IAsyncEnumerable<BusEvent> stream = bus.SubscribeAsync(["a"]);
        var received = new List<BusEvent>();
        async Task ConsumeAsync()
        {
            await foreach (BusEvent e in stream.WithCancellation(cts.Token))
            {
                received.Add(e);
            }
        }

        Task consumer = ConsumeAsync();
        Assert.That(consumer.IsCompleted, Is.False, "the consumer waits for events");
        await cts.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => consumer);
        Assert.That(received, Is.Empty);
        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.Zero);
    }

    [Test]
    public async Task Subscription_TokenCancelled_RemovedAtOnceEvenIfNeverEnumerated()
    {
        using var bus = new MessageBus();
        using var cts = new CancellationTokenSource();
        IAsyncEnumerable<BusEvent> stream = bus.SubscribeAsync(["a"], cancellationToken: cts.Token);
        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.EqualTo(1));

        await cts.CancelAsync();

        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.Zero);
        Assert.That(bus.Publish(Event("a")), Is.Zero);
        await using IAsyncEnumerator<BusEvent> events = stream.GetAsyncEnumerator();
        Assert.CatchAsync<OperationCanceledException>(async () => await events.MoveNextAsync());
    }

    [Test]
    public async Task Subscription_TokenCancelledWhileReading_PendingReadThrows()
    {
        using var bus = new MessageBus();
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["a"], cancellationToken: cts.Token).GetAsyncEnumerator();
        _ = bus.Publish(Event("a"));
        Assert.That((await NextAsync(events)).EventType, Is.EqualTo("a"));
        Task<bool> pending = events.MoveNextAsync().AsTask();

        await cts.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => pending.WaitAsync(s_hang));
        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.Zero);
    }

    [Test]
    public void SubscribeAsync_AlreadyCancelled_ThrowsAndRegistersNothing()
    {
        using var bus = new MessageBus();

        Assert.Throws<OperationCanceledException>(() => bus.SubscribeAsync(["a"], cancellationToken: new CancellationToken(canceled: true)));

        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.Zero);
    }

    [Test]
    public void SubscribeAsync_EnumeratedTwice_Refused()
    {
        using var bus = new MessageBus();
        IAsyncEnumerable<BusEvent> stream = bus.SubscribeAsync(["a"]);
        _ = stream.GetAsyncEnumerator();

        Assert.Throws<InvalidOperationException>(() => stream.GetAsyncEnumerator());
    }

    [Test]
    public void SubscribeAsync_SubscriberId_GeneratedWhenMissingKeptWhenGiven()
    {
        using var bus = new MessageBus();

        var generated = (Subscription)bus.SubscribeAsync(["a"]);
        var empty = (Subscription)bus.SubscribeAsync(["a"], subscriberId: "");
        var named = (Subscription)bus.SubscribeAsync(["a"], subscriberId: "event-bridge");
        var again = (Subscription)bus.SubscribeAsync(["a"], subscriberId: "event-bridge");

        Assert.That(generated.Id, Does.Match("^sub-[0-9a-f]{32}$"));
        Assert.That(empty.Id, Does.Match("^sub-[0-9a-f]{32}$").And.Not.EqualTo(generated.Id));
        Assert.That((named.Id, again.Id), Is.EqualTo(("event-bridge", "event-bridge")));
        Assert.That(bus.Publish(Event("a")), Is.EqualTo(4), "the same id twice makes two independent subscriptions");
    }

    // ---- Commands and queries: failures, timeouts, isolation ----

    [Test]
    public void SendAsync_HandlerThrowsKernelException_SenderGetsItUnchanged()
    {
        using var bus = new MessageBus();
        var original = new KernelException(KernelErrorCode.FailedPrecondition, "state transition error: nope");
        using IDisposable registration = bus.RegisterCommandHandler("c", (_, _) => throw original);

        var ex = Assert.ThrowsAsync<KernelException>(() => bus.SendAsync("c"));

        Assert.That(ex, Is.SameAs(original));
        Assert.That(bus.GetStatistics().CommandsSent, Is.Zero);
    }

    [Test]
    public void SendAsync_HandlerFailsAsynchronously_WrappedAsInternalWithInner()
    {
        using var bus = new MessageBus();
        using IDisposable registration = bus.RegisterCommandHandler("c", static async (_, _) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("boom");
        });

        var ex = Assert.ThrowsAsync<KernelException>(() => bus.SendAsync("c"));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.Internal));
        Assert.That(ex.Message, Is.EqualTo("internal error: Command handler failed: c: boom"));
        Assert.That(ex.InnerException, Is.TypeOf<InvalidOperationException>());
        Assert.That(bus.GetStatistics().CommandsSent, Is.Zero);
    }

    [Test]
    public void SendAsync_SenderCancels_HandlerSeesItAndSenderGetsCancellation()
    {
        using var bus = new MessageBus();
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable registration = bus.RegisterCommandHandler("c", async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, ct);
        });

        Task send = bus.SendAsync("c", cancellationToken: cts.Token);
        cts.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() => send);
        Assert.That(started.Task.IsCompleted, Is.True);
    }

    [Test]
    public void QueryAsync_HandlerThrows_KernelExceptionUnchangedOthersWrapped()
    {
        using var bus = new MessageBus();
        var original = new KernelException(KernelErrorCode.NotFound, "not found: record 7");
        using IDisposable a = bus.RegisterQueryHandler("kernel", (_, _) => throw original);
        using IDisposable b = bus.RegisterQueryHandler("other", static (_, _) => throw new FormatException("bad"));
        using IDisposable c = bus.RegisterQueryHandler("null", static (_, _) => new ValueTask<QueryResponse>((QueryResponse)null!));

        var passed = Assert.ThrowsAsync<KernelException>(() => bus.QueryAsync("kernel"));
        var wrapped = Assert.ThrowsAsync<KernelException>(() => bus.QueryAsync("other"));
        var noReply = Assert.ThrowsAsync<KernelException>(() => bus.QueryAsync("null"));

        Assert.That(passed, Is.SameAs(original));
        Assert.That((wrapped!.Code, wrapped.Message), Is.EqualTo((KernelErrorCode.Internal, "internal error: Query handler failed: other: bad")));
        Assert.That(wrapped.InnerException, Is.TypeOf<FormatException>());
        Assert.That((noReply!.Code, noReply.Message), Is.EqualTo((KernelErrorCode.Internal, "internal error: Query response channel closed: null")));
        Assert.That(bus.GetStatistics().QueriesExecuted, Is.Zero);
    }

    [Test]
    public void QueryAsync_SenderCancels_CancellationNotTimeout()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        using var bus = new MessageBus(timeProvider: time);
        using var cts = new CancellationTokenSource();
        var never = new TaskCompletionSource<QueryResponse>();
        using IDisposable registration = bus.RegisterQueryHandler("q", (_, _) => new(never.Task));

        Task<QueryResponse> query = bus.QueryAsync("q", cancellationToken: cts.Token);
        cts.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() => query);
    }

    [Test]
    public async Task QueryAsync_Timeouts_DefaultUsedLongOnesCappedZeroFailsAtOnce()
    {
        var options = new CommBusOptions { DefaultQueryTimeout = TimeSpan.FromSeconds(2), MaxQueryTimeout = TimeSpan.FromSeconds(10) };
        using var bus = new MessageBus(options);
        int calls = 0;
        using IDisposable registration = bus.RegisterQueryHandler("q", (q, _) =>
        {
            calls++;
            return Reply(((long)q.Timeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        });

        QueryResponse byDefault = await bus.QueryAsync("q");
        QueryResponse capped = await bus.QueryAsync("q", timeout: TimeSpan.FromMinutes(5));
        QueryResponse given = await bus.QueryAsync("q", timeout: TimeSpan.FromMilliseconds(250));
        var zero = Assert.ThrowsAsync<KernelException>(() => bus.QueryAsync("q", timeout: TimeSpan.Zero));

        Assert.That(new[] { byDefault, capped, given }.Select(r => r.Result!.Value.GetInt64()), Is.EqualTo(new[] { 2_000L, 10_000L, 250L }));
        Assert.That((zero!.Code, zero.Message), Is.EqualTo((KernelErrorCode.Timeout, "timeout: Query timeout after 0ms: q")));
        Assert.That(calls, Is.EqualTo(3), "a zero timeout never reaches the handler");
    }

    [Test]
    public async Task QueryAsync_SlowHandler_BlocksNeitherPublishersNorOtherQueriesNorRegistration()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        using var bus = new MessageBus(timeProvider: time);
        var release = new TaskCompletionSource<QueryResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable slow = bus.RegisterQueryHandler("slow", (_, _) => new(release.Task));
        using IDisposable fast = bus.RegisterQueryHandler("fast", static (_, _) => Reply("true"));
        await using IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["e"]).GetAsyncEnumerator();

        Task<QueryResponse> slowQuery = bus.QueryAsync("slow");
        int delivered = bus.Publish(Event("e"));
        QueryResponse fastReply = await bus.QueryAsync("fast");
        using IDisposable another = bus.RegisterQueryHandler("another", static (_, _) => Reply("null"));
        Assert.That(slowQuery.IsCompleted, Is.False);

        release.SetResult(new QueryResponse(Success: true, null, string.Empty));

        Assert.That((await slowQuery.WaitAsync(s_hang)).Success, Is.True);
        Assert.That(delivered, Is.EqualTo(1));
        Assert.That(fastReply.Result!.Value.GetBoolean(), Is.True);
        Assert.That(bus.GetStatistics().QueriesExecuted, Is.EqualTo(2));
    }

    // ---- Payloads, timestamps, bad input, disposal ----

    [Test]
    public async Task NullPayload_BecomesEmptyObjectEverywhere()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch.AddMinutes(5));
        using var bus = new MessageBus(timeProvider: time);
        await using IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["e"]).GetAsyncEnumerator();
        JsonElement? commandPayload = null;
        JsonElement? queryPayload = null;
        using IDisposable c = bus.RegisterCommandHandler("c", (cmd, _) =>
        {
            commandPayload = cmd.Payload;
            return ValueTask.CompletedTask;
        });
        using IDisposable q = bus.RegisterQueryHandler("q", (query, _) =>
        {
            queryPayload = query.Payload;
            return Reply("0");
        });

        int delivered = await bus.PublishAsync("e", source: "p9");
        await bus.SendAsync("c");
        _ = await bus.QueryAsync("q");
        BusEvent received = await NextAsync(events);

        Assert.That(delivered, Is.EqualTo(1));
        Assert.That((received.Source, received.Timestamp), Is.EqualTo(("p9", TestKernel.Epoch.AddMinutes(5))), "stamped with the bus clock");
        foreach (JsonElement payload in new[] { received.Payload, commandPayload!.Value, queryPayload!.Value })
        {
            Assert.That(payload.GetRawText(), Is.EqualTo("{}"));
        }
    }

    [Test]
    public async Task PublishAsync_PayloadFromDisposedDocumentLater_ReceiverStillReadsIt()
    {
        using var bus = new MessageBus();
        await using IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["e"]).GetAsyncEnumerator();
        using (JsonDocument document = JsonDocument.Parse("""{"k":"v"}"""))
        {
            _ = await bus.PublishAsync("e", document.RootElement);
        }

        Assert.That((await NextAsync(events)).Payload.GetProperty("k").GetString(), Is.EqualTo("v"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void EmptyType_RefusedEverywhere(string? type)
    {
        using var bus = new MessageBus();

        var errors = new[]
        {
            Assert.ThrowsAsync<KernelException>(() => bus.PublishAsync(type!)),
            Assert.ThrowsAsync<KernelException>(() => bus.SendAsync(type!)),
            Assert.ThrowsAsync<KernelException>(() => bus.QueryAsync(type!)),
            Assert.Throws<KernelException>(() => bus.RegisterCommandHandler(type!, static (_, _) => ValueTask.CompletedTask)),
            Assert.Throws<KernelException>(() => bus.RegisterQueryHandler(type!, static (_, _) => Reply("0"))),
        };

        Assert.That(errors.Select(e => e!.Code), Is.All.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(errors.Select(e => e!.Message), Is.EqualTo(new[]
        {
            "validation error: event_type is required",
            "validation error: command_type is required",
            "validation error: query_type is required",
            "validation error: command_type is required",
            "validation error: query_type is required",
        }));
        Assert.That(bus.GetStatistics(), Is.EqualTo(CommBusStatistics.Empty));
    }

    [Test]
    public void SubscribeAsync_BadEventTypes_RefusedWhenCalledNotWhenEnumerated()
    {
        using var bus = new MessageBus();

        var missing = Assert.Throws<KernelException>(() => bus.SubscribeAsync(null!));
        var empty = Assert.Throws<KernelException>(() => bus.SubscribeAsync([]));
        var blank = Assert.Throws<KernelException>(() => bus.SubscribeAsync(["ok", " "]));
        var nullEntry = Assert.Throws<KernelException>(() => bus.SubscribeAsync([null!]));

        Assert.That(new[] { missing, empty, blank, nullEntry }.Select(e => e!.Code), Is.All.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(missing!.Message, Is.EqualTo("validation error: event_types is required (non-empty array)"));
        Assert.That(empty!.Message, Is.EqualTo(missing.Message));
        Assert.That(blank!.Message, Is.EqualTo("validation error: event_types[1] must be a non-empty string"));
        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.Zero);
    }

    [Test]
    public void QueryAsync_NegativeTimeout_Refused()
    {
        using var bus = new MessageBus();
        using IDisposable registration = bus.RegisterQueryHandler("q", static (_, _) => Reply("0"));

        var ex = Assert.ThrowsAsync<KernelException>(() => bus.QueryAsync("q", timeout: TimeSpan.FromMilliseconds(-5)));

        Assert.That((ex!.Code, ex.Message), Is.EqualTo((KernelErrorCode.InvalidArgument, "validation error: timeout_ms must be non-negative, got -5")));
    }

    [Test]
    public void Handlers_Null_Refused()
    {
        using var bus = new MessageBus();

        Assert.Throws<ArgumentNullException>(() => bus.RegisterCommandHandler("c", null!));
        Assert.Throws<ArgumentNullException>(() => bus.RegisterQueryHandler("q", null!));
        Assert.Throws<ArgumentNullException>(() => bus.Publish(null!));
    }

    [Test]
    public async Task Dispose_EndsStreamsAfterQueuedEventsAndRefusesNewWork()
    {
        var bus = new MessageBus();
        await using IAsyncEnumerator<BusEvent> events = bus.SubscribeAsync(["e"]).GetAsyncEnumerator();
        using IDisposable registration = bus.RegisterCommandHandler("c", static (_, _) => ValueTask.CompletedTask);
        _ = bus.Publish(Event("e"));

        bus.Dispose();
        bus.Dispose();

        Assert.That((await NextAsync(events)).EventType, Is.EqualTo("e"), "queued events are still delivered");
        Assert.That(await events.MoveNextAsync().AsTask().WaitAsync(s_hang), Is.False, "then the stream ends");
        Assert.That(bus.GetStatistics().ActiveSubscribers, Is.Zero);
        Assert.That(bus.Publish(Event("e")), Is.Zero, "publishing after dispose is harmless");
        Assert.Throws<ObjectDisposedException>(() => bus.SubscribeAsync(["e"]));
        Assert.ThrowsAsync<ObjectDisposedException>(() => bus.SendAsync("c"));
        Assert.Throws<ObjectDisposedException>(() => bus.RegisterQueryHandler("q", static (_, _) => Reply("0")));
    }

    [Test]
    public void Options_ChangedAfterConstruction_NoEffect()
    {
        var options = new CommBusOptions { SubscriberCapacity = 2 };
        using var bus = new MessageBus(options);
        _ = bus.SubscribeAsync(["e"]);

        options.SubscriberCapacity = 100;
        for (int i = 0; i < 5; i++)
        {
            _ = bus.Publish(Event("e"));
        }

        Assert.That(bus.GetStatistics().EventsDropped, Is.EqualTo(3));
    }
}
