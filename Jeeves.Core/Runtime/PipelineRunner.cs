using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jeeves.Runtime;

/// <summary>
/// Drives pipeline runs through a kernel: it initialises the run's session, asks the kernel what to run next, runs that
/// agent, reports the result with its usage, and stops when the kernel says so. It works the same against the in-process
/// kernel and against a kernel over TCP; the kernel decides routing and budgets, the runner only runs agents.
/// </summary>
/// <remarks>A runner is thread-safe and meant to be shared; each run is independent.</remarks>
public sealed partial class PipelineRunner
{
    private readonly IKernelClient _kernel;
    private readonly CapabilityRegistry _capabilities;
    private readonly PipelineRunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AgentExecutor _executor;
    private readonly ConcurrentDictionary<string, Lazy<Task>> _toolsRegistered = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="PipelineRunner"/> class.</summary>
    /// <param name="kernel">The kernel to run through (in-process or over TCP).</param>
    /// <param name="capabilities">The capabilities whose pipelines can be run.</param>
    /// <param name="options">Chat clients, timeouts; <see langword="null"/> for the defaults (and no LLM agents).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where logs go; nowhere when <see langword="null"/>.</param>
    public PipelineRunner(IKernelClient kernel, CapabilityRegistry capabilities, PipelineRunnerOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(capabilities);
        _kernel = kernel;
        _capabilities = capabilities;
        _options = options ?? new PipelineRunnerOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = loggerFactory?.CreateLogger("Jeeves.Runtime") ?? NullLogger.Instance;
        _executor = new AgentExecutor(new ChatClients(_options, kernel, _logger), _options);
    }

    /// <summary>Gets the capabilities this runner serves.</summary>
    public CapabilityRegistry Capabilities => _capabilities;

    /// <summary>Runs a pipeline to its end and returns the result.</summary>
    /// <param name="request">What to run.</param>
    /// <param name="cancellationToken">Cancels the run: the kernel process is ended with <see cref="TerminalReason.UserCancelled"/> and the call throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>
    /// The result. A run that pauses for a human waits here until the interrupt ends; use <see cref="StreamAsync"/> to see
    /// the interrupt and answer it.
    /// </returns>
    /// <exception cref="ArgumentException">The request names no registered pipeline, or its input is empty.</exception>
    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        RunEvent terminal = await RunLoopAsync(request, NullRunEventSink.Instance, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return terminal switch
        {
            RunCompleted c => c.Result,
            RunFailed f => f.Result,
            _ => throw new InvalidOperationException("A run ended without a terminal event."),
        };
    }

    /// <summary>
    /// Runs a pipeline and streams what happens: the run, each agent's start and end, tokens as the model streams them, tool
    /// calls, interrupts. The stream ends with exactly one terminal event, <see cref="RunCompleted"/> or <see cref="RunFailed"/>.
    /// </summary>
    /// <param name="request">What to run.</param>
    /// <param name="cancellationToken">
    /// Cancels the run: the kernel process is ended with <see cref="TerminalReason.UserCancelled"/> and the stream ends with a
    /// <see cref="RunCompleted"/> that says so. Leaving the stream early cancels the run the same way.
    /// </param>
    /// <returns>The run's events.</returns>
    /// <exception cref="ArgumentException">The request names no registered pipeline, or its input is empty.</exception>
    public IAsyncEnumerable<RunEvent> StreamAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        return StreamCoreAsync(request, cancellationToken);
    }

    private async IAsyncEnumerable<RunEvent> StreamCoreAsync(RunRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<RunEvent>(new BoundedChannelOptions(_options.EventBufferCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = true,     // the reader resumes on the writer's thread: no hand-off per event
        });
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sink = new ChannelRunEventSink(channel.Writer);
        Task<RunEvent> loop = RunLoopAsync(request, sink, run.Token).AsTask();

        // The loop always writes a terminal event, which ends the reading below; the channel is completed only when the
        // loop itself fails (a bug), so that the reader sees that failure instead of waiting forever.
        if (!loop.IsCompleted)
        {
            _ = loop.ContinueWith(static (t, w) => CompleteOnFailure(t, (ChannelWriter<RunEvent>)w!), channel.Writer, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            CompleteOnFailure(loop, channel.Writer);
        }

        ChannelReader<RunEvent> reader = channel.Reader;
        bool ended = false;
        try
        {
            while (!ended)
            {
                if (!reader.TryRead(out RunEvent? e))
                {
                    if (!await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }

                ended = e.IsTerminal;
                yield return e;
            }
        }
        finally
        {
            if (!ended)
            {
                await run.CancelAsync().ConfigureAwait(false);

                // Nobody reads the rest, but the run may still be waiting for room to write (its terminal event is written
                // whatever the token says): drain until that terminal event, or until a failed loop completes the channel.
                while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    if (reader.TryRead(out RunEvent? e) && e.IsTerminal)
                    {
                        break;
                    }
                }
            }

            _ = await loop.ConfigureAwait(false);
        }
    }

    private static void CompleteOnFailure(Task<RunEvent> loop, ChannelWriter<RunEvent> writer)
    {
        if (!loop.IsCompletedSuccessfully)
        {
            _ = writer.TryComplete(loop.Exception?.InnerException ?? new OperationCanceledException("The run loop was cancelled."));
        }
    }

    private static void Validate(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Pipeline, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Input, nameof(request));
    }

    /// <summary>Runs the loop; never throws except for a bug; always returns (and emits) the terminal event.</summary>
    private async ValueTask<RunEvent> RunLoopAsync(RunRequest request, IRunEventSink sink, CancellationToken cancellationToken)
    {
        ProcessId pid = request.ProcessId ?? ProcessId.New();
        if (!_capabilities.TryGetPipeline(request.Pipeline, out CapabilityDefinition? capability, out PipelineConfig? pipeline))
        {
            string known = string.Join(", ", _capabilities.PipelineNames.Order(StringComparer.Ordinal));
            string unknown = $"Unknown pipeline '{request.Pipeline}'. Registered pipelines: [{known}]";
            return await EndAsync(sink, new RunFailed(pid, _time.GetUtcNow(), unknown, EmptyResult(pid, request, unknown))).ConfigureAwait(false);
        }

        using var state = new RunState(_kernel, capability, pipeline, pid, (JsonObject?)request.State?.DeepClone() ?? [], _options.ToolTimeout, sink, _time, _logger, cancellationToken);
        string sessionId = request.SessionId ?? string.Empty;
        string requestId = request.RequestId ?? string.Empty;
        bool started = false;       // only a run that started its session ends the process; a refused start leaves it alone
        try
        {
            await EnsureToolsRegisteredAsync(capability, cancellationToken).ConfigureAwait(false);
            Envelope envelope = Envelope.Create(_time.GetUtcNow(), new CreateEnvelopeOptions
            {
                RawInput = request.Input,
                UserId = request.UserId,
                SessionId = request.SessionId,
                RequestId = request.RequestId,
            });
            sessionId = envelope.Identity.SessionId;
            requestId = envelope.Identity.RequestId;
            _ = await _kernel.Orchestration.InitializeSessionAsync(pid, pipeline, envelope, request.Force, cancellationToken).ConfigureAwait(false);
            started = true;
            if (await _kernel.Kernel.GetProcessAsync(pid, cancellationToken).ConfigureAwait(false) is { } process)
            {
                state.Quota = process.Quota;
                state.UsageAtStart = process.Usage;
            }

            Log.RunStarted(_logger, pipeline.Name, pid.Value);
            if (sink.IsEnabled)
            {
                await sink.WriteAsync(new RunStarted(pid, _time.GetUtcNow(), pipeline.Name, sessionId, requestId), cancellationToken).ConfigureAwait(false);
            }

            Instruction next = await _kernel.Orchestration.GetNextInstructionAsync(pid, cancellationToken).ConfigureAwait(false);
            string? waitedOn = null;
            while (true)
            {
                switch (next.Kind)
                {
                    case InstructionKind.RunAgent:
                        waitedOn = null;
                        (next, TerminalReason? endsRun, string? error) = await RunAgentAsync(state, next, cancellationToken).ConfigureAwait(false);
                        if (endsRun is { } ending)
                        {
                            // A failure that ends the run wins over routing; a budget the kernel itself reports wins over ours.
                            if (next.Kind == InstructionKind.Terminate && next.TerminalReason is { } kernelReason && kernelReason != TerminalReason.Completed)
                            {
                                ending = kernelReason;
                            }
                            else if (next.Kind != InstructionKind.Terminate)
                            {
                                _ = await _kernel.Kernel.TerminateProcessAsync(pid, WireNames.ToWire(ending), cancellationToken).ConfigureAwait(false);
                            }

                            return await EndAsync(sink, new RunCompleted(pid, _time.GetUtcNow(), Result(state, sessionId, requestId, ending, next.Envelope, error))).ConfigureAwait(false);
                        }

                        break;

                    case InstructionKind.WaitInterrupt:
                        string? id = next.Interrupt?.Id;
                        if (id is null || id == waitedOn)
                        {
                            string why = id is null ? "the kernel paused the run without naming an interrupt" : $"the kernel still waits on interrupt '{id}', which has ended";
                            return await EndAsync(sink, new RunFailed(pid, _time.GetUtcNow(), why, Result(state, sessionId, requestId, null, next.Envelope, why))).ConfigureAwait(false);
                        }

                        waitedOn = id;
                        KernelInterrupt? pending = await _kernel.Interrupts.GetAsync(id, cancellationToken).ConfigureAwait(false);
                        if (pending is not null)
                        {
                            await state.EmitAsync(new InterruptRaised(pid, _time.GetUtcNow(), pending), cancellationToken).ConfigureAwait(false);
                        }

                        KernelInterrupt? ended = await InterruptWaiter.WaitAsync(_kernel, id, _options.InterruptRecheckInterval, _time, cancellationToken).ConfigureAwait(false);
                        if (ended is not null)
                        {
                            state.LastInterrupt = ended;
                            await state.EmitAsync(new InterruptEnded(pid, _time.GetUtcNow(), ended), cancellationToken).ConfigureAwait(false);
                        }

                        next = await _kernel.Orchestration.GetNextInstructionAsync(pid, cancellationToken).ConfigureAwait(false);
                        break;

                    default:
                        TerminalReason reason = next.TerminalReason ?? TerminalReason.Completed;
                        Log.RunEnded(_logger, pipeline.Name, pid.Value, reason);
                        return await EndAsync(sink, new RunCompleted(pid, _time.GetUtcNow(), Result(state, sessionId, requestId, reason, next.Envelope, next.TerminationMessage))).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (started)
            {
                await TerminateQuietlyAsync(pid, WireNames.ToWire(TerminalReason.UserCancelled)).ConfigureAwait(false);
            }

            return await EndAsync(sink, new RunCompleted(pid, _time.GetUtcNow(), Result(state, sessionId, requestId, TerminalReason.UserCancelled, null, "cancelled"))).ConfigureAwait(false);
        }
        catch (KernelException ex)
        {
            Log.RunFailed(_logger, pipeline.Name, pid.Value, ex);
            if (started)
            {
                await TerminateQuietlyAsync(pid, "runner_failed").ConfigureAwait(false);
            }

            return await EndAsync(sink, new RunFailed(pid, _time.GetUtcNow(), ex.Message, Result(state, sessionId, requestId, null, null, ex.Message))).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A stream promises one terminal event: a bug in a hook or the runner ends the run as failed, logged, instead of tearing the stream.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            Log.RunFailed(_logger, pipeline.Name, pid.Value, ex);
            if (started)
            {
                await TerminateQuietlyAsync(pid, "runner_failed").ConfigureAwait(false);
            }

            string error = "The runner failed: " + ex.Message;
            return await EndAsync(sink, new RunFailed(pid, _time.GetUtcNow(), error, Result(state, sessionId, requestId, null, null, error))).ConfigureAwait(false);
        }
    }

    private async ValueTask<(Instruction Next, TerminalReason? EndsRun, string? Error)> RunAgentAsync(RunState state, Instruction instruction, CancellationToken cancellationToken)
    {
        string agentName = instruction.AgentName ?? string.Empty;
        Envelope envelope = instruction.Envelope ?? throw new KernelException(KernelErrorCode.Internal, "RUN_AGENT instruction without an envelope");
        string stage = envelope.Pipeline.CurrentStage;
        if (state.Events.IsEnabled)
        {
            await state.Events.WriteAsync(new AgentStarted(state.ProcessId, _time.GetUtcNow(), agentName, stage), cancellationToken).ConfigureAwait(false);
        }

        AgentOutcome outcome;
        CreateInterruptRequest? interrupt = null;
        if (!state.Capability.Agents.TryGetValue(agentName, out AgentDefinition? agent))
        {
            outcome = new AgentOutcome(false, [], $"Agent not found: {agentName}", new AgentExecutionMetrics(), 0m, null);
        }
        else
        {
            var context = new AgentContext(state, agent, stage, envelope);
            outcome = await _executor.RunAsync(state, context, cancellationToken).ConfigureAwait(false);
            if (outcome.Success)
            {
                state.Outputs[agent.EffectiveOutputKey] = outcome.Output;
                state.LastOutput = outcome.Output;
                state.LastOutputAgent = agent.Name;
                interrupt = context.RequestedInterrupt;
            }
        }

        state.AddUsage(outcome.Metrics, outcome.CostUsd);
        var result = new AgentResult
        {
            AgentName = agentName,
            Success = outcome.Success,
            Error = outcome.Error ?? string.Empty,
            Output = outcome.Success ? outcome.Output : [],
            Metrics = outcome.Metrics,
            Interrupt = interrupt,
        };

        // The in-process kernel takes a parsed reply as it is; any other kernel gets the output to convert or send.
        Instruction next = await (outcome.OutputElement is { } parsed && _kernel.Orchestration is Actor.InProcessOrchestrationService inProcess
            ? inProcess.ReportAgentResultAsync(state.ProcessId, result, parsed, cancellationToken)
            : _kernel.Orchestration.ReportAgentResultAsync(state.ProcessId, result, cancellationToken)).ConfigureAwait(false);

        if (state.Events.IsEnabled)
        {
            await state.EmitAsync(new AgentCompleted(state.ProcessId, _time.GetUtcNow(), agentName, outcome.Success, (JsonObject)outcome.Output.DeepClone(), outcome.Error, outcome.Metrics), cancellationToken).ConfigureAwait(false);
        }

        return (next, outcome.EndsRun, outcome.Error);
    }

    private Task EnsureToolsRegisteredAsync(CapabilityDefinition capability, CancellationToken cancellationToken)
    {
        if (capability.Tools.Count == 0)
        {
            return Task.CompletedTask;
        }

        Lazy<Task> registration = _toolsRegistered.GetOrAdd(capability.Id, _ => new Lazy<Task>(() => RegisterToolsAsync(capability)));
        Task task = registration.Value;
        if (!task.IsCompletedSuccessfully)
        {
            // A registration that fails (the kernel was unreachable) is tried again by the next run.
            _ = task.ContinueWith(
                (t, state) =>
                {
                    var (cache, key, entry) = ((ConcurrentDictionary<string, Lazy<Task>>, string, Lazy<Task>))state!;
                    if (!t.IsCompletedSuccessfully)
                    {
                        _ = cache.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, entry));
                    }
                },
                (_toolsRegistered, capability.Id, registration),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Puts the capability's tools in the kernel's catalog and grants each agent exactly its tools, once per runner.</summary>
    private async Task RegisterToolsAsync(CapabilityDefinition capability)
    {
        foreach (CapabilityTool tool in capability.Tools.Values)
        {
            _ = await _kernel.Tools.RegisterToolAsync(tool.Entry, replaceExisting: true).ConfigureAwait(false);
        }

        foreach (AgentDefinition agent in capability.Agents.Values)
        {
            if (agent.Tools.Count > 0)
            {
                await _kernel.Tools.GrantToolAccessAsync(agent.Name, agent.Tools).ConfigureAwait(false);
            }
        }
    }

    private async Task TerminateQuietlyAsync(ProcessId pid, string reason)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
        try
        {
            _ = await _kernel.Kernel.TerminateProcessAsync(pid, reason, limit.Token).ConfigureAwait(false);
        }
        catch (KernelException)
        {
            // Already ended, never created, or the kernel is gone: nothing left to stop.
        }
        catch (OperationCanceledException)
        {
            // The kernel did not answer in time; its cleanup reaps the process.
        }
    }

    private static async Task<RunEvent> EndAsync(IRunEventSink sink, RunEvent terminal)
    {
        if (sink.IsEnabled)
        {
            await sink.WriteAsync(terminal, CancellationToken.None).ConfigureAwait(false);
        }

        return terminal;
    }

    private static RunResult EmptyResult(ProcessId pid, RunRequest request, string error) => new()
    {
        ProcessId = pid,
        SessionId = request.SessionId ?? string.Empty,
        RequestId = request.RequestId ?? string.Empty,
        Error = error,
    };

    private static RunResult Result(RunState state, string sessionId, string requestId, TerminalReason? reason, Envelope? envelope, string? error) => new()
    {
        ProcessId = state.ProcessId,
        SessionId = sessionId,
        RequestId = requestId,
        TerminalReason = reason,
        Error = reason == TerminalReason.Completed ? null : error,
        Output = state.LastOutput,
        OutputAgent = state.LastOutputAgent,
        Outputs = envelope?.Outputs ?? (IReadOnlyDictionary<string, JsonElement>)new Dictionary<string, JsonElement>(),
        Usage = state.Usage,
    };

    private sealed class ChannelRunEventSink(ChannelWriter<RunEvent> writer) : IRunEventSink
    {
        public bool IsEnabled => true;

        public ValueTask WriteAsync(RunEvent runEvent, CancellationToken cancellationToken) => writer.WriteAsync(runEvent, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, EventName = "run_started", Level = LogLevel.Debug, Message = "Run of {Pipeline} started as process {Pid}")]
        public static partial void RunStarted(ILogger logger, string pipeline, string pid);

        [LoggerMessage(EventId = 3202, EventName = "run_ended", Level = LogLevel.Debug, Message = "Run of {Pipeline} (process {Pid}) ended: {Reason}")]
        public static partial void RunEnded(ILogger logger, string pipeline, string pid, TerminalReason reason);

        [LoggerMessage(EventId = 3203, EventName = "run_failed", Level = LogLevel.Warning, Message = "Run of {Pipeline} (process {Pid}) failed")]
        public static partial void RunFailed(ILogger logger, string pipeline, string pid, Exception exception);
    }
}
