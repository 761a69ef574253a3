using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Runtime;

/// <summary>
/// Something that happened during a pipeline run, in the order it happened. A stream from
/// <see cref="PipelineRunner.StreamAsync(RunRequest, CancellationToken)"/> always ends with exactly one terminal event:
/// <see cref="RunCompleted"/> or <see cref="RunFailed"/>.
/// </summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened, from the runner's <see cref="TimeProvider"/>.</param>
public abstract record RunEvent(ProcessId ProcessId, DateTimeOffset Timestamp)
{
    /// <summary>Gets a value indicating whether this is the last event of its run.</summary>
    public virtual bool IsTerminal => false;
}

/// <summary>The run's session is initialised and the kernel is about to hand out the first instruction.</summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Pipeline">The pipeline's name.</param>
/// <param name="SessionId">The session the run belongs to.</param>
/// <param name="RequestId">The request the run answers.</param>
public sealed record RunStarted(ProcessId ProcessId, DateTimeOffset Timestamp, string Pipeline, string SessionId, string RequestId)
    : RunEvent(ProcessId, Timestamp);

/// <summary>The kernel told the runner to run an agent, and the agent has started.</summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Agent">The agent's name.</param>
/// <param name="Stage">The pipeline stage the agent runs for.</param>
public sealed record AgentStarted(ProcessId ProcessId, DateTimeOffset Timestamp, string Agent, string Stage)
    : RunEvent(ProcessId, Timestamp);

/// <summary>A piece of an agent's answer as the model streams it (only for agents that stream tokens).</summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Agent">The agent whose model produced the text.</param>
/// <param name="Text">The new text, in order; the concatenation of an agent's deltas is its streamed answer.</param>
public sealed record TokenDelta(ProcessId ProcessId, DateTimeOffset Timestamp, string Agent, string Text)
    : RunEvent(ProcessId, Timestamp);

/// <summary>An agent asked for a tool and the call passed the access and circuit checks.</summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Agent">The agent that called the tool.</param>
/// <param name="Tool">The tool's id.</param>
/// <param name="CallId">Identifies the call; the matching <see cref="ToolCompleted"/> carries the same id.</param>
/// <param name="Arguments">The arguments, after defaults were filled in.</param>
public sealed record ToolStarted(ProcessId ProcessId, DateTimeOffset Timestamp, string Agent, string Tool, string CallId, JsonObject Arguments)
    : RunEvent(ProcessId, Timestamp);

/// <summary>A tool call ended, successfully or not. Every <see cref="ToolStarted"/> is followed by one of these.</summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Agent">The agent that called the tool.</param>
/// <param name="Tool">The tool's id.</param>
/// <param name="CallId">The id given by the matching <see cref="ToolStarted"/>, or a new one for a call refused before it started.</param>
/// <param name="Result">The normalised tool result (<c>status</c>, <c>data</c> or <c>error</c>, <c>execution_time_ms</c>).</param>
public sealed record ToolCompleted(ProcessId ProcessId, DateTimeOffset Timestamp, string Agent, string Tool, string CallId, JsonObject Result)
    : RunEvent(ProcessId, Timestamp)
{
    /// <summary>Gets a value indicating whether the tool reported success.</summary>
    public bool Succeeded => Result["status"] is JsonValue v && v.TryGetValue(out string? s) && s == "success";
}

/// <summary>An agent finished and its result was reported to the kernel.</summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Agent">The agent's name.</param>
/// <param name="Success">Whether the agent succeeded.</param>
/// <param name="Output">What the agent produced (empty when it failed).</param>
/// <param name="Error">Why the agent failed, or <see langword="null"/>.</param>
/// <param name="Metrics">What the agent used: LLM calls, tool calls, tokens, time.</param>
public sealed record AgentCompleted(ProcessId ProcessId, DateTimeOffset Timestamp, string Agent, bool Success, JsonObject Output, string? Error, AgentExecutionMetrics Metrics)
    : RunEvent(ProcessId, Timestamp);

/// <summary>
/// The run is paused for a human: the kernel answered <see cref="InstructionKind.WaitInterrupt"/>. The stream resumes by itself
/// once the interrupt is resolved through <see cref="IKernelClient.Interrupts"/> (from any client), and ends if it is cancelled
/// or expires and the kernel ends the process.
/// </summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Interrupt">The pending interrupt: its id, kind and question.</param>
public sealed record InterruptRaised(ProcessId ProcessId, DateTimeOffset Timestamp, KernelInterrupt Interrupt)
    : RunEvent(ProcessId, Timestamp);

/// <summary>The interrupt the run was waiting on is no longer pending; the run carries on as the kernel instructs.</summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Interrupt">The interrupt as it ended: resolved (with the human's response), cancelled or expired.</param>
public sealed record InterruptEnded(ProcessId ProcessId, DateTimeOffset Timestamp, KernelInterrupt Interrupt)
    : RunEvent(ProcessId, Timestamp);

/// <summary>
/// Terminal: the kernel ended the run (<see cref="RunResult.TerminalReason"/> says why: completed, a budget, cancelled, a fatal
/// LLM or tool failure).
/// </summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Result">The run's result.</param>
public sealed record RunCompleted(ProcessId ProcessId, DateTimeOffset Timestamp, RunResult Result)
    : RunEvent(ProcessId, Timestamp)
{
    /// <inheritdoc/>
    public override bool IsTerminal => true;
}

/// <summary>Terminal: the run could not go on (the kernel refused or was unreachable, or the runner failed).</summary>
/// <param name="ProcessId">The kernel process that carries the run.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Error">What went wrong, in words fit for a log.</param>
/// <param name="Result">What the run had produced before it failed.</param>
public sealed record RunFailed(ProcessId ProcessId, DateTimeOffset Timestamp, string Error, RunResult Result)
    : RunEvent(ProcessId, Timestamp)
{
    /// <inheritdoc/>
    public override bool IsTerminal => true;
}

/// <summary>The outcome of a pipeline run.</summary>
public sealed record RunResult
{
    /// <summary>Gets the kernel process that carried the run.</summary>
    public required ProcessId ProcessId { get; init; }

    /// <summary>Gets the session the run belongs to.</summary>
    public required string SessionId { get; init; }

    /// <summary>Gets the request the run answered.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets why the run ended, or <see langword="null"/> when it failed before the kernel ended it.</summary>
    public TerminalReason? TerminalReason { get; init; }

    /// <summary>Gets the error when the run failed or ended on a failure, else <see langword="null"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the output of the last agent that succeeded (the partial result when a budget ended the run early).</summary>
    public JsonObject? Output { get; init; }

    /// <summary>Gets the name of the agent that produced <see cref="Output"/>.</summary>
    public string? OutputAgent { get; init; }

    /// <summary>Gets every agent's latest output, by agent name, as the kernel holds them.</summary>
    public IReadOnlyDictionary<string, JsonElement> Outputs { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Gets what the run used, summed over its agents.</summary>
    public RunUsage Usage { get; init; } = new();

    /// <summary>Gets a value indicating whether the pipeline ran to its end (<see cref="TerminalReason.Completed"/>).</summary>
    public bool IsCompleted => TerminalReason == Jeeves.TerminalReason.Completed;

    /// <summary>Gets the <c>response</c> text of <see cref="Output"/>, when it has one.</summary>
    public string? Response => Output?["response"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}

/// <summary>What a run used, summed over its agents.</summary>
public sealed record RunUsage
{
    /// <summary>Gets the number of agent runs.</summary>
    public int AgentRuns { get; init; }

    /// <summary>Gets the number of LLM calls.</summary>
    public int LlmCalls { get; init; }

    /// <summary>Gets the number of tool calls.</summary>
    public int ToolCalls { get; init; }

    /// <summary>Gets the input (prompt) tokens.</summary>
    public long TokensIn { get; init; }

    /// <summary>Gets the output (completion) tokens.</summary>
    public long TokensOut { get; init; }

    /// <summary>Gets the estimated cost in US dollars, from the price table (zero for unknown models).</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Adds one agent's metrics.</summary>
    /// <param name="metrics">The agent's metrics.</param>
    /// <param name="costUsd">The agent's estimated cost.</param>
    /// <returns>The sum.</returns>
    public RunUsage Add(AgentExecutionMetrics metrics, decimal costUsd)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return new RunUsage
        {
            AgentRuns = AgentRuns + 1,
            LlmCalls = LlmCalls + metrics.LlmCalls,
            ToolCalls = ToolCalls + metrics.ToolCalls,
            TokensIn = TokensIn + (metrics.TokensIn ?? 0),
            TokensOut = TokensOut + (metrics.TokensOut ?? 0),
            CostUsd = CostUsd + costUsd,
        };
    }
}
