using Jeeves.Actor;
using Jeeves.Kernel;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Actor;

/// <summary>The kernel actor: guarded commands, fast rejection when full, shutdown, timed cleanup.</summary>
public sealed class KernelActorTests
{
    private static KernelActor CreateActor(out KernelCore core, out FakeTimeProvider time, int capacity = 2048, TimeSpan? cleanupInterval = null, Action<KernelOptions>? configure = null)
    {
        core = TestKernel.Create(out time, configure);
        return new KernelActor(core, capacity, cleanupInterval ?? TimeSpan.Zero);
    }

    [Test]
    public async Task InvokeAsync_CommandThrows_CallerGetsInternalAndNextCommandRuns()
    {
        await using KernelActor actor = CreateActor(out _, out _);

        var ex = Assert.ThrowsAsync<KernelException>(() =>
            actor.InvokeAsync<int, int>("Explode", static (_, _) => throw new InvalidOperationException("test panic"), 0, CancellationToken.None));
        int next = await actor.InvokeAsync("Next", static (_, s) => s + 1, 41, CancellationToken.None);

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.Internal));
        Assert.That(ex.Message, Is.EqualTo("internal error: Panic in Explode: test panic"));
        Assert.That(ex.InnerException, Is.TypeOf<InvalidOperationException>());
        Assert.That(next, Is.EqualTo(42));
    }

    [Test]
    public async Task InvokeAsync_KernelExceptionThrown_PassedThroughUnchanged()
    {
        await using KernelActor actor = CreateActor(out _, out _);
        var original = new KernelException(KernelErrorCode.NotFound, "not found: thing");

        var ex = Assert.ThrowsAsync<KernelException>(() =>
            actor.InvokeAsync<KernelException, int>("Fail", static (_, e) => throw e, original, CancellationToken.None));

        Assert.That(ex, Is.SameAs(original));
    }

    [Test]
    public async Task InvokeAsync_QueueFull_RejectedAtOnceWithRetryableResourceExhausted()
    {
        await using KernelActor actor = CreateActor(out _, out _, capacity: 4);
        using var gate = new ManualResetEventSlim();
        Task<int> blocker = await BlockAsync(actor, gate);
        var queued = Enumerable.Range(0, 4).Select(i => actor.InvokeAsync("Queued", static (_, s) => s, i, CancellationToken.None)).ToList();

        Task<int> rejected = actor.InvokeAsync("OneTooMany", static (_, s) => s, 99, CancellationToken.None);

        Assert.That(rejected.IsCompleted, Is.True, "a full queue answers at once");
        var ex = Assert.ThrowsAsync<KernelOverloadedException>(() => rejected);
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.ResourceExhausted));
        Assert.That(ex.IsRetryable, Is.True);
        Assert.That(ex.QueueCapacity, Is.EqualTo(4));
        Assert.That(ex.Message, Is.EqualTo("Kernel request queue is full; retry shortly"));

        gate.Set();
        await blocker;
        Assert.That(await Task.WhenAll(queued), Is.EqualTo(new[] { 0, 1, 2, 3 }), "queued commands still run, in order");
    }

    [Test]
    public async Task Client_TenThousandConcurrentCallers_AllAnswered()
    {
        await using IKernelClient client = KernelClient.CreateInProcess(
            Unlimited(new KernelOptions { QueueCapacity = 20_000 }), new FakeTimeProvider(TestKernel.Epoch));

        ProcessInfo[] created = await Task.WhenAll(Enumerable.Range(0, 10_000).Select(i => Task.Run(() =>
            client.Kernel.CreateProcessAsync(new ProcessId("p" + i), new CreateProcessOptions { UserId = new UserId("u" + (i % 100)) }))));

        ProcessCounts counts = await client.Kernel.GetProcessCountsAsync();
        Assert.That(created.Select(p => p.Pid.Value).Distinct().Count(), Is.EqualTo(10_000));
        Assert.That(counts.Total, Is.EqualTo(10_000));
        Assert.That(counts.QueueDepth, Is.EqualTo(10_000));
    }

    [Test]
    public async Task StopAsync_Drain_QueuedCommandsRunThenLaterCallsUnavailable()
    {
        KernelActor actor = CreateActor(out _, out _);
        using var gate = new ManualResetEventSlim();
        Task<int> blocker = await BlockAsync(actor, gate);
        Task<int> queued = actor.InvokeAsync("Queued", static (_, s) => s, 2, CancellationToken.None);

        Task stopping = actor.StopAsync(drain: true);
        gate.Set();
        await stopping;

        Assert.That(await blocker, Is.EqualTo(1));
        Assert.That(await queued, Is.EqualTo(2));
        var ex = Assert.ThrowsAsync<KernelException>(() => actor.InvokeAsync("Late", static (_, s) => s, 3, CancellationToken.None));
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.Unavailable));
        Assert.That(ex.Message, Is.EqualTo("Kernel actor is unavailable"));
    }

    [Test]
    public async Task StopAsync_NoDrain_QueuedCallersFailUnavailable()
    {
        KernelActor actor = CreateActor(out _, out _);
        using var gate = new ManualResetEventSlim();
        Task<int> blocker = await BlockAsync(actor, gate);
        Task<int> queued = actor.InvokeAsync("Queued", static (_, s) => s, 2, CancellationToken.None);

        Task stopping = actor.StopAsync(drain: false);
        gate.Set();
        await stopping;

        Assert.That(await blocker, Is.EqualTo(1), "the command already running completes");
        var ex = Assert.ThrowsAsync<KernelException>(() => queued);
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.Unavailable));
        Assert.That(ex.Message, Is.EqualTo("Kernel actor terminated while request was in flight"));
        Assert.That(actor.Completion.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public async Task InvokeAsync_AlreadyCancelled_NotQueued()
    {
        await using KernelActor actor = CreateActor(out KernelCore core, out _);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        Task<ProcessInfo> call = actor.InvokeAsync("CreateProcess", static (k, p) => k.CreateProcess(p), new ProcessId("p1"), cts.Token);

        Assert.That(call.IsCanceled, Is.True);
        Assert.That(await actor.InvokeAsync("Count", static (k, _) => k.GetProcessCounts().Total, 0, CancellationToken.None), Is.Zero);
        Assert.That(core, Is.Not.Null);
    }

    [Test]
    public async Task CleanupTimer_FiresOnInjectedClock_CollectsFinishedProcesses()
    {
        await using KernelActor actor = CreateActor(out _, out FakeTimeProvider time, cleanupInterval: TimeSpan.FromMinutes(5),
            configure: o => o.Cleanup.ProcessRetention = TimeSpan.FromMinutes(1));
        await actor.InvokeAsync("Create", static (k, p) => k.TerminateProcess(k.CreateProcess(p).Pid), new ProcessId("p1"), CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(5));
        int remaining = await actor.InvokeAsync("Count", static (k, _) => k.GetProcessCounts().Total, 0, CancellationToken.None);

        Assert.That(remaining, Is.Zero, "the timer's cleanup command was queued before this one");
    }

    [Test]
    public async Task CleanupTimer_BeforeInterval_NothingCollected()
    {
        await using KernelActor actor = CreateActor(out _, out FakeTimeProvider time, cleanupInterval: TimeSpan.FromMinutes(5),
            configure: o => o.Cleanup.ProcessRetention = TimeSpan.FromMinutes(1));
        await actor.InvokeAsync("Create", static (k, p) => k.TerminateProcess(k.CreateProcess(p).Pid), new ProcessId("p1"), CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(4));
        int remaining = await actor.InvokeAsync("Count", static (k, _) => k.GetProcessCounts().Total, 0, CancellationToken.None);

        Assert.That(remaining, Is.EqualTo(1));
    }

    [Test]
    public async Task InvokeAsync_KernelIdle_RunsOnTheCallersThreadWithoutQueueing()
    {
        await using KernelActor actor = CreateActor(out _, out _);
        int caller = Environment.CurrentManagedThreadId;

        Task<int> call = actor.InvokeAsync("Where", static (_, _) => Environment.CurrentManagedThreadId, 0, CancellationToken.None);

        Assert.That(call.IsCompleted, Is.True);
        Assert.That(await call, Is.EqualTo(caller));
    }

    [Test]
    public async Task InvokeAsync_KernelBusy_QueuesBehindAndRunsInOrderOnTheLoop()
    {
        await using KernelActor actor = CreateActor(out _, out _);
        using var gate = new ManualResetEventSlim();
        Task<int> blocker = await BlockAsync(actor, gate);
        var order = new List<int>();

        Task[] queued = [.. Enumerable.Range(0, 5).Select(i => actor.InvokeAsync("Append", static (_, s) => { s.order.Add(s.i); return 0; }, (order, i), CancellationToken.None))];
        Assert.That(queued.Any(static t => t.IsCompleted), Is.False, "nothing runs inline while the loop holds the kernel");
        gate.Set();
        await blocker;
        await Task.WhenAll(queued);

        Assert.That(order, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
    }

    [Test]
    public async Task InvokeAsync_ManyConcurrentCallers_OneCommandAtATime()
    {
        await using KernelActor actor = CreateActor(out _, out _, capacity: 100_000);
        var box = new int[2];      // [0] = commands inside the kernel now, [1] = a counter incremented without atomics

        Task[] callers = [.. Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                _ = await actor.InvokeAsync("Count", static (_, b) =>
                {
                    if (++b[0] != 1)
                    {
                        throw new InvalidOperationException("two commands inside the kernel at once");
                    }

                    b[1] = b[1] + 1;
                    b[0]--;
                    return 0;
                }, box, CancellationToken.None);
            }
        }))];
        await Task.WhenAll(callers);

        Assert.That(box[1], Is.EqualTo(16_000));
    }

    /// <summary>Occupies the kernel loop until <paramref name="gate"/> is set; returns once the loop is inside the command.</summary>
    private static async Task<Task<int>> BlockAsync(KernelActor actor, ManualResetEventSlim gate)
    {
        using var entered = new SemaphoreSlim(0);
        Task<int> blocker = actor.EnqueueAsync("Block", static (_, s) =>
        {
            s.entered.Release();
            s.gate.Wait();
            return 1;
        }, (gate, entered), CancellationToken.None);
        await entered.WaitAsync();
        return blocker;
    }

    private static KernelOptions Unlimited(KernelOptions options)
    {
        options.RateLimit.RequestsPerHour = int.MaxValue;
        options.RateLimit.RequestsPerMinute = int.MaxValue;
        options.RateLimit.BurstSize = int.MaxValue;
        return options;
    }
}
