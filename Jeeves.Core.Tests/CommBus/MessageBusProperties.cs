using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Jeeves.CommBus;
using Microsoft.Extensions.Time.Testing;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.CommBus;


/// <summary>The bus invariants of spec §10 (22-24), in our semantics: pattern subscriptions, de-duplication, pruning.</summary>
public sealed class MessageBusProperties
{
    private static readonly JsonElement s_empty = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>The reference model of a subscription's filter.</summary>
    private static bool Matches(IEnumerable<string> patterns, string eventType) =>
        patterns.Any(p => p == "*" || p == eventType || (p.EndsWith(".*", StringComparison.Ordinal) && eventType.StartsWith(p[..^1], StringComparison.Ordinal)));

    /// <summary>
    /// Invariant 22: a publish reaches exactly the live subscriptions whose patterns match; each receives each matching
    /// event once, in publish order, and nothing else; every publish counts once; cancelled subscriptions get nothing.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(CommBusArbitraries) }, MaxTest = 300)]
    public Property Publish_FansOutOnceInOrderToMatchingLiveSubscriptions(FanOutScenario scenario)
    {
        using var bus = new MessageBus(new CommBusOptions { SubscriberCapacity = 1024 });
        var subscriptions = new List<(SubscriptionSpec Spec, Subscription Stream)>();
        var sources = new List<CancellationTokenSource>();
        foreach (SubscriptionSpec spec in scenario.Subscriptions)
        {
            var cts = new CancellationTokenSource();
            sources.Add(cts);
            subscriptions.Add((spec, (Subscription)bus.SubscribeAsync(spec.Patterns, cancellationToken: cts.Token)));
            if (spec.Cancelled)
            {
                cts.Cancel();
            }
        }

        var live = subscriptions.Where(s => !s.Spec.Cancelled).ToList();
        long publishedBefore = bus.GetStatistics().EventsPublished;
        bool countsRight = true;
        for (int i = 0; i < scenario.Events.Length; i++)
        {
            string type = scenario.Events[i];
            int delivered = bus.Publish(new BusEvent(type, s_empty, TestKernel.Epoch, i.ToString(CultureInfo.InvariantCulture)));
            countsRight &= delivered == live.Count(s => Matches(s.Spec.Patterns, type));
        }

        bool sequencesRight = subscriptions.All(s =>
        {
            var received = new List<int>();
            while (s.Stream.Reader.TryRead(out BusEvent? e))
            {
                received.Add(int.Parse(e.Source, CultureInfo.InvariantCulture));
            }

            IEnumerable<int> expected = s.Spec.Cancelled
                ? []
                : Enumerable.Range(0, scenario.Events.Length).Where(i => Matches(s.Spec.Patterns, scenario.Events[i]));
            return received.SequenceEqual(expected);
        });
        CommBusStatistics stats = bus.GetStatistics();
        sources.ForEach(s => s.Dispose());

        return countsRight.Label("each publish returns the number of matching live subscriptions")
            .And(sequencesRight.Label("each subscription gets each matching event once, in publish order"))
            .And((stats.EventsPublished - publishedBefore == scenario.Events.Length).Label("events_published grows by one per publish"))
            .And((stats.ActiveSubscribers == live.Count).Label("active_subscribers counts live subscriptions"))
            .And((stats.EventsDropped == 0).Label("nothing dropped below capacity"));
    }

    /// <summary>
    /// Invariant 23: at most one command handler and one query handler per type. Register over a live handler fails with
    /// AlreadyExists; after its registration is disposed, register succeeds; a call reaches the current handler or
    /// fails with NotFound; disposing a stale registration never removes the current one.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(CommBusArbitraries) }, MaxTest = 300)]
    public Property Handlers_AtMostOnePerType(HandlerScript script)
    {
        using var bus = new MessageBus();
        var registrations = new Dictionary<(bool Query, string Type), List<IDisposable>>();
        var current = new Dictionary<(bool Query, string Type), int>();
        var invoked = new List<(bool Query, string Type, int Id)>();
        int nextId = 0;
        long sends = 0;
        long answers = 0;
        bool ok = true;
        foreach (HandlerOp op in script.Ops)
        {
            var key = (op.Query, op.Type);
            List<IDisposable> made = registrations.TryGetValue(key, out List<IDisposable>? list) ? list : registrations[key] = [];
            switch (op.Kind)
            {
                case HandlerOpKind.Register:
                    int id = nextId++;
                    try
                    {
                        IDisposable registration = op.Query
                            ? bus.RegisterQueryHandler(op.Type, (_, _) =>
                            {
                                invoked.Add((true, op.Type, id));
                                return new(new QueryResponse(Success: id % 2 == 0, null, string.Empty));
                            })
                            : bus.RegisterCommandHandler(op.Type, (_, _) =>
                            {
                                invoked.Add((false, op.Type, id));
                                return ValueTask.CompletedTask;
                            });
                        ok &= !current.ContainsKey(key);
                        made.Add(registration);
                        current[key] = made.Count - 1;
                    }
                    catch (KernelException ex) when (ex.Code == KernelErrorCode.AlreadyExists)
                    {
                        ok &= current.ContainsKey(key);
                    }

                    break;
                case HandlerOpKind.DisposeOne when made.Count > 0:
                    int which = op.Which % made.Count;
                    made[which].Dispose();
                    if (current.TryGetValue(key, out int live) && live == which)
                    {
                        _ = current.Remove(key);
                    }

                    break;
                case HandlerOpKind.Call:
                    int before = invoked.Count;
                    Task call = op.Query ? bus.QueryAsync(op.Type) : bus.SendAsync(op.Type);
                    if (current.ContainsKey(key))
                    {
                        ok &= call.IsCompletedSuccessfully && invoked.Count == before + 1 && invoked[^1].Query == op.Query && invoked[^1].Type == op.Type;
                        sends += op.Query ? 0 : 1;
                        answers += op.Query ? 1 : 0;
                    }
                    else
                    {
                        ok &= call is { IsFaulted: true, Exception.InnerException: KernelException { Code: KernelErrorCode.NotFound } } && invoked.Count == before;
                    }

                    break;
            }

            ok &= bus.CommandHandlerCount == current.Keys.Count(k => !k.Query) && bus.QueryHandlerCount == current.Keys.Count(k => k.Query);
        }

        CommBusStatistics stats = bus.GetStatistics();
        return ok.Label("registry agrees with the one-handler model after every step")
            .And((stats.CommandsSent == sends && stats.QueriesExecuted == answers).Label("only handled calls are counted"));
    }

    /// <summary>
    /// Invariant 24: a handler that never answers makes the query fail with TIMEOUT, no earlier than its timeout; the
    /// handler is told to stop at that moment. Nothing is counted.
    /// </summary>
    [Property(MaxTest = 200)]
    public async Task<bool> Query_SilentHandler_TimesOutNoEarlierThanTimeout(PositiveInt milliseconds)
    {
        TimeSpan timeout = TimeSpan.FromMilliseconds(milliseconds.Get % 60_000);
        var time = new FakeTimeProvider(TestKernel.Epoch);
        using var bus = new MessageBus(new CommBusOptions { MaxQueryTimeout = TimeSpan.FromMinutes(1) }, time);
        var never = new TaskCompletionSource<QueryResponse>();
        CancellationToken handlerToken = default;
        using IDisposable registration = bus.RegisterQueryHandler("q", (_, ct) =>
        {
            handlerToken = ct;
            return new(never.Task);
        });

        Task<QueryResponse> query = bus.QueryAsync("q", timeout: timeout);
        bool early = false;
        if (timeout > TimeSpan.Zero)
        {
            time.Advance(timeout - TimeSpan.FromTicks(1));
            early = query.IsCompleted || handlerToken.IsCancellationRequested;
            time.Advance(TimeSpan.FromTicks(1));
        }

        try
        {
            _ = await query.WaitAsync(TimeSpan.FromSeconds(30));
            return false;
        }
        catch (KernelException ex)
        {
            return !early
                && ex.Code == KernelErrorCode.Timeout
                && ex.Message == $"timeout: Query timeout after {(long)timeout.TotalMilliseconds}ms: q"
                && (timeout == TimeSpan.Zero || handlerToken.IsCancellationRequested)
                && bus.GetStatistics().QueriesExecuted == 0;
        }
    }

    /// <summary>Invariant 24: an answer before the timeout, success or not, is returned as is and counts exactly once.</summary>
    [Property(MaxTest = 200)]
    public async Task<bool> Query_AnswerBeforeTimeout_CountedOnceAndReturnedAsIs(bool success, bool answerLater, NonNegativeInt elapsedMs)
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        using var bus = new MessageBus(timeProvider: time);
        var answer = new QueryResponse(success, null, success ? string.Empty : "refused");
        var later = new TaskCompletionSource<QueryResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable registration = bus.RegisterQueryHandler("q", (_, _) => answerLater ? new(later.Task) : new(answer));
        long before = bus.GetStatistics().QueriesExecuted;

        Task<QueryResponse> query = bus.QueryAsync("q", timeout: TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromMilliseconds(elapsedMs.Get % 5_000));
        later.SetResult(answer);
        QueryResponse response = await query.WaitAsync(TimeSpan.FromSeconds(30));

        return ReferenceEquals(response, answer) && bus.GetStatistics().QueriesExecuted == before + 1;
    }
}
