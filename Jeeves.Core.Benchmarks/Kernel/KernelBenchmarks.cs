using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Jeeves.Actor;
using Jeeves.Benchmarks.Quick;
using Jeeves.Kernel;

namespace Jeeves.Benchmarks.Kernel;

/// <summary>
/// The kernel: a round trip through the actor, a process lifecycle through the actor, scheduling with a full ready
/// queue, and the bare channel request/response the actor is built on, as the baseline.
/// </summary>
/// <remarks>
/// The round trips are awaited one after another from an async loop, as a caller awaits the kernel, and
/// <c>OperationsPerInvoke</c> spreads BenchmarkDotNet's own per-invoke cost over the loop. Each round trip hops to
/// the loop and back through the thread pool, exactly like the baseline, so their ratio is the actor's own overhead.
/// The baseline is declared next to the round trip so the two run back to back.
/// </remarks>
[MemoryDiagnoser]
public class KernelBenchmarks : IAsyncDisposable
{
    /// <summary>Round trips per invocation of <see cref="GetProcessRoundTrip"/> and <see cref="ChannelBaseline"/>.</summary>
    public const int RoundTripsPerInvoke = 1024;

    /// <summary>Create + terminate pairs per iteration of <see cref="CreateTerminate"/>; the terminated processes are collected after each iteration.</summary>
    public const int LifecyclesPerIteration = 32_768;

    /// <summary>READY processes queued during <see cref="NextRunnable100k"/>.</summary>
    public const int ReadyProcesses = 100_000;

    private const int QueueCapacity = 2048;

    private static readonly ProcessId s_probe = new("bench-probe");

    private InProcessKernelClient? _client;
    private SteppedTimeProvider? _clock;
    private ProcessId[] _pids = [];
    private Task<CleanupStats>? _pendingCleanup;
    private KernelCore? _core;
    private Channel<Request>? _channel;
    private Task? _drain;

    [GlobalSetup(Target = nameof(GetProcessRoundTrip))]
    public void SetupRoundTrip()
    {
        // The process is created before the actor starts, so setup needs no await; the calls then go through the
        // public client, as an application's would.
        var core = new KernelCore(BenchKernel.UnlimitedOptions(), TimeProvider.System);
        _ = core.CreateProcess(s_probe);
        _client = new InProcessKernelClient(new KernelActor(core, QueueCapacity, cleanupInterval: TimeSpan.Zero), new MessageBus(), ownsActor: true);
    }

    /// <summary>(a) One <c>GetProcessAsync</c> through the in-process client: post, run on the kernel loop, reply.</summary>
    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    [QuickMetric("kernel.get_process_roundtrip", AllocationMetric = "kernel.get_process_roundtrip_alloc", CompareToBaseline = true)]
    public async Task<ProcessInfo?> GetProcessRoundTrip()
    {
        IKernelService kernel = _client!.Kernel;
        ProcessInfo? last = null;
        for (int i = 0; i < RoundTripsPerInvoke; i++)
        {
            last = await kernel.GetProcessAsync(s_probe).ConfigureAwait(false);
        }

        return last;
    }

    [GlobalSetup(Target = nameof(ChannelBaseline))]
    public void SetupChannel()
    {
        _channel = Channel.CreateBounded<Request>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        _drain = DrainAsync(_channel.Reader);
    }

    /// <summary>
    /// (d) The actor's shape without the kernel: a bounded single-reader channel drained by one loop that completes
    /// each request's reply source, with continuations run asynchronously.
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTripsPerInvoke)]
    [QuickMetric("kernel.channel_baseline", Order = 3)]
    public async Task<object?> ChannelBaseline()
    {
        ChannelWriter<Request> writer = _channel!.Writer;
        object? last = null;
        for (int i = 0; i < RoundTripsPerInvoke; i++)
        {
            var request = new Request();
            if (!writer.TryWrite(request))
            {
                throw new InvalidOperationException("The baseline channel is full");
            }

            last = await request.Task.ConfigureAwait(false);
        }

        return last;
    }

    [GlobalSetup(Target = nameof(NextRunnable100k))]
    public void SetupReadyQueue() => _core = BenchKernel.WithReadyProcesses(ReadyProcesses, TimeProvider.System);

    /// <summary>
    /// (c) Scheduling with 100,000 READY processes, directly on the kernel core: take the next runnable, start it, and
    /// preempt it back to READY, so the queue stays at 100,000.
    /// </summary>
    [Benchmark]
    [QuickMetric("kernel.next_runnable_100k", Order = 2)]
    public ProcessInfo NextRunnable100k()
    {
        KernelCore core = _core!;
        ProcessInfo next = core.GetNextRunnable() ?? throw new InvalidOperationException("The ready queue is empty");
        _ = core.TransitionState(next.Pid, ProcessState.Running);
        return core.TransitionState(next.Pid, ProcessState.Ready);
    }

    [GlobalSetup(Target = nameof(CreateTerminate))]
    public void SetupCreateTerminate()
    {
        KernelOptions options = BenchKernel.UnlimitedOptions();
        options.Cleanup.ProcessRetention = TimeSpan.Zero;
        _clock = new SteppedTimeProvider();
        _client = InProcessKernelClient.Create(options, _clock, logger: null);
        _pids = BenchKernel.Pids("bench", LifecyclesPerIteration);
    }

    /// <summary>
    /// (b) <c>CreateProcessAsync</c> then <c>TerminateProcessAsync</c> through the client, each with a pid not in the
    /// table. The pids of one iteration are reused by the next: <see cref="CollectTerminated"/> removes them in between.
    /// </summary>
    [Benchmark(OperationsPerInvoke = LifecyclesPerIteration)]
    [QuickMetric("kernel.create_terminate", Order = 1)]
    public async Task<ProcessInfo?> CreateTerminate()
    {
        if (_pendingCleanup is { } cleanup)
        {
            // Posted by the last iteration's cleanup and normally long finished; if not, the rest is measured here.
            _pendingCleanup = null;
            _ = await cleanup.ConfigureAwait(false);
        }

        IKernelService kernel = _client!.Kernel;
        ProcessInfo? last = null;
        foreach (ProcessId pid in _pids)
        {
            _ = await kernel.CreateProcessAsync(pid).ConfigureAwait(false);
            last = await kernel.TerminateProcessAsync(pid).ConfigureAwait(false);
        }

        return last;
    }

    /// <summary>
    /// Steps the clock past every retention window and posts a cleanup, which removes the terminated processes and
    /// the rate limiter's log. Iteration cleanups cannot be async, so the next iteration awaits the cleanup first.
    /// </summary>
    [IterationCleanup(Target = nameof(CreateTerminate))]
    public void CollectTerminated()
    {
        _clock!.Advance(TimeSpan.FromHours(2));
        _pendingCleanup = _client!.Actor.RunCleanupAsync();
    }

    [GlobalCleanup]
    public Task CleanupAsync() => DisposeAsync().AsTask();

    /// <summary>Stops the actor or the baseline loop, whichever the benchmark started. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_pendingCleanup is { } cleanup)
        {
            _pendingCleanup = null;
            _ = await cleanup.ConfigureAwait(false);
        }

        if (_client is { } client)
        {
            _client = null;
            await client.DisposeAsync().ConfigureAwait(false);
        }

        if (_channel is { } channel && _drain is { } drain)
        {
            _channel = null;
            _drain = null;
            _ = channel.Writer.TryComplete();
            await drain.ConfigureAwait(false);
        }

        _core = null;
        GC.SuppressFinalize(this);
    }

    private static async Task DrainAsync(ChannelReader<Request> reader)
    {
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out Request? request))
            {
                _ = request.TrySetResult(null);
            }
        }
    }

    /// <summary>A baseline request: like a kernel command, it is its own reply source.</summary>
    private sealed class Request() : TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
}
