using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Jeeves.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Jeeves.Runtime;

/// <summary>What one agent run produced, ready to report to the kernel.</summary>
/// <param name="Success">Whether the agent succeeded.</param>
/// <param name="Output">Its output (empty on failure).</param>
/// <param name="Error">Why it failed.</param>
/// <param name="Metrics">What it used.</param>
/// <param name="CostUsd">Its estimated model cost.</param>
/// <param name="EndsRun">Set when the failure ends the run whatever the kernel routes next: a model that kept failing, or a budget the metering refused.</param>
/// <param name="OutputElement">
/// The output as immutable JSON when it is exactly the model's parsed reply, which nothing could have changed (no
/// post-hook ran): the in-process kernel stores it as it is instead of converting <paramref name="Output"/> again.
/// </param>
internal readonly record struct AgentOutcome(bool Success, JsonObject Output, string? Error, AgentExecutionMetrics Metrics, decimal CostUsd, TerminalReason? EndsRun, JsonElement? OutputElement = null);

/// <summary>Runs one agent: hooks, then its main step (code, or a model call with its tools), with its timeout.</summary>
internal sealed partial class AgentExecutor
{
    private readonly ChatClients _chat;
    private readonly PipelineRunnerOptions _options;

    public AgentExecutor(ChatClients chat, PipelineRunnerOptions options)
    {
        _chat = chat;
        _options = options;
    }

    public async ValueTask<AgentOutcome> RunAsync(RunState run, AgentContext context, CancellationToken cancellationToken)
    {
        AgentDefinition agent = context.Agent;
        long started = run.TimeProvider.GetTimestamp();
        var meter = new LlmCallContext(run.ProcessId, agent.Name)
        {
            ModelRole = agent.ModelRole,
            RemainingLlmCalls = Remaining(context.Envelope.Bounds.MaxLlmCalls - context.Envelope.Bounds.LlmCallCount, run.Quota.MaxLlmCalls - CallsSoFar(run)),
            RemainingInputTokens = Math.Max(0, run.Quota.MaxInputTokens - (run.UsageAtStart?.TokensIn ?? 0) - run.TokensIn),
            RemainingOutputTokens = Math.Max(0, run.Quota.MaxOutputTokens - (run.UsageAtStart?.TokensOut ?? 0) - run.TokensOut),
        };

        TimeSpan limit = agent.Timeout ?? _options.AgentTimeout;
        // Code the runtime does not control gets its clock from the start; the runtime's own model path starts it when it waits.
        StepCancellation step = run.Steps;
        CancellationToken token = step.Start(limit, armNow: agent.Handler is not null || agent.Before is not null || agent.After is not null);
        string? error = null;
        TerminalReason? endsRun = null;
        JsonElement? replyElement = null;
        try
        {
            if (agent.Before is { } before)
            {
                await before(context, token).ConfigureAwait(false);
            }

            if (agent.Handler is { } handler)
            {
                context.Output = await handler(context, token).ConfigureAwait(false);
            }
            else if (agent.Prompt is not null)
            {
                ValueTask<(JsonObject Output, JsonElement? Element)> call = CallModelAsync(run, context, meter, token);
                if (!call.IsCompleted)
                {
                    step.Arm();
                }

                (context.Output, replyElement) = await call.ConfigureAwait(false);
            }
            else
            {
                context.Output = run.Outputs.TryGetValue(agent.EffectiveOutputKey, out JsonObject? existing) ? existing : [];
            }

            if (agent.After is { } after)
            {
                await after(context, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (step.TimedOut)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"Agent '{agent.Name}' timed out after {limit.TotalSeconds:0.###}s");
        }
        catch (LlmCallException ex)
        {
            error = ex.Message;
            endsRun = TerminalReason.LlmFailedFatally;
        }
        catch (LlmBudgetExceededException ex)
        {
            error = ex.Message;
            endsRun = ex.Violation == QuotaViolation.LlmCalls ? TerminalReason.MaxLlmCallsExceeded : TerminalReason.PolicyViolation;
        }
#pragma warning disable CA1031 // An agent's failure is reported to the kernel, which decides what runs next (runtime spec §4.5).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex.Message.Length > 0 ? ex.Message : ex.GetType().Name;
            Log.AgentFailed(run.Logger, agent.Name, ex);
        }

        step.End();
        var metrics = new AgentExecutionMetrics
        {
            LlmCalls = meter.LlmCalls,
            ToolCalls = context.ToolCalls,
            TokensIn = meter.LlmCalls > 0 ? meter.InputTokens : null,
            TokensOut = meter.LlmCalls > 0 ? meter.OutputTokens : null,
            Duration = run.TimeProvider.GetElapsedTime(started),
        };

        if (error is not null)
        {
            return new AgentOutcome(false, [], error, metrics, meter.CostUsd, endsRun);
        }

        JsonObject output = context.Output ?? [];
        if (agent.RequiredOutputFields.Count > 0 && MissingFields(output, agent.RequiredOutputFields) is { Count: > 0 } missing)
        {
            Log.MissingFields(run.Logger, agent.Name, string.Join(", ", missing));
        }

        // Without a post-hook nothing could have changed the parsed reply since it was parsed.
        return new AgentOutcome(true, output, null, metrics, meter.CostUsd, null, agent.After is null ? replyElement : null);
    }

    /// <summary>Finds the <c>[...]</c> citations in a text, in order, each once.</summary>
    internal static List<string> ExtractCitations(string text)
    {
        var citations = new List<string>();
        foreach (Match match in CitationPattern().Matches(text))
        {
            string citation = match.Groups[1].Value;
            if (!citations.Contains(citation, StringComparer.Ordinal))
            {
                citations.Add(citation);
            }
        }

        return citations;
    }

    private static List<string> MissingFields(JsonObject output, IReadOnlyList<string> required) =>
        [.. required.Where(f => !output.ContainsKey(f))];

    private static int CallsSoFar(RunState run) => (run.UsageAtStart?.LlmCalls ?? 0) + run.LlmCalls;

    private static int Remaining(int a, int b) => Math.Max(0, Math.Min(a, b));

    private async ValueTask<(JsonObject Output, JsonElement? Element)> CallModelAsync(RunState run, AgentContext context, LlmCallContext meter, CancellationToken cancellationToken)
    {
        AgentDefinition agent = context.Agent;
        string promptName = agent.StreamTokens && agent.StreamingPrompt is not null ? agent.StreamingPrompt : agent.Prompt!;
        PromptTemplate prompt = run.Capability.Prompts[promptName];
        var values = new PromptValues(context);
        var messages = new List<ChatMessage>(4);
        if (prompt.RenderSystem(values) is { } system)
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        messages.Add(new ChatMessage(ChatRole.User, prompt.RenderUser(values)));

        bool structured = agent.OutputMode == AgentOutputMode.Structured;
        var options = new MeteredChatOptions(meter)
        {
            Temperature = agent.Temperature,
            MaxOutputTokens = agent.MaxOutputTokens,
            StopSequences = agent.StopSequences.Count > 0 ? [.. agent.StopSequences] : null,
            ResponseFormat = !structured ? null : agent.OutputSchema is { } schema ? ChatResponseFormat.ForJsonSchema(schema, agent.Name) : ChatResponseFormat.Json,
        };

        IChatClient client = _chat.For(agent.ModelRole);
        if (agent.Tools.Count > 0)
        {
            options.Tools = GovernedTools(run, context);
            client = new FunctionInvokingChatClient(client) { MaximumIterationsPerRequest = agent.MaxToolRounds };
        }

        for (int attempt = 0; ; attempt++)
        {
            string text = await CompleteAsync(run, context, client, messages, options, cancellationToken).ConfigureAwait(false);
            if (!structured)
            {
                return (new JsonObject
                {
                    ["response"] = text,
                    ["citations"] = new JsonArray([.. ExtractCitations(text).Select(static c => JsonValue.Create(c))]),
                }, null);
            }

            JsonObject? parsed = LenientJson.ParseObjectWithElement(text, out JsonElement? wrapped);
            List<string>? missing = parsed is null || agent.RequiredOutputFields.Count == 0 ? null : MissingFields(parsed, agent.RequiredOutputFields);
            if (parsed is not null && missing is not { Count: > 0 })
            {
                return (parsed, wrapped);
            }

            if (attempt >= agent.OutputRetries)
            {
                Log.OutputNotValid(run.Logger, agent.Name, attempt + 1);
                return parsed is not null ? (parsed, wrapped) : (new JsonObject { ["response"] = text }, null);
            }

            messages.Add(new ChatMessage(ChatRole.Assistant, text));
            messages.Add(new ChatMessage(ChatRole.User, parsed is null
                ? "That reply was not a JSON object. Reply again with only the JSON object asked for."
                : $"That reply lacks the required field(s) {string.Join(", ", missing!)}. Reply again with only the JSON object, including them."));
        }
    }

    /// <summary>The agent's tools as functions the model can call, each through the governed path.</summary>
    /// <remarks>A method of its own so that <see cref="CallModelAsync"/> captures nothing: a lambda there would cost every call a closure.</remarks>
    private static List<AITool> GovernedTools(RunState run, AgentContext context)
    {
        IReadOnlyList<string> ids = context.Agent.Tools;
        var tools = new List<AITool>(ids.Count);
        foreach (string id in ids)
        {
            tools.Add(new GovernedToolFunction(run.Capability.Tools[id].Entry, context, run.Tools));
        }

        return tools;
    }

    private static async ValueTask<string> CompleteAsync(RunState run, AgentContext context, IChatClient client, List<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        try
        {
            if (!context.Agent.StreamTokens)
            {
                ChatResponse response = await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
                return response.Text;
            }

            var text = new StringBuilder();
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                string delta = update.Text;
                if (delta.Length == 0)
                {
                    continue;
                }

                _ = text.Append(delta);
                await run.EmitAsync(new TokenDelta(run.ProcessId, run.Now, context.Agent.Name, delta), cancellationToken).ConfigureAwait(false);
            }

            return text.ToString();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (LlmBudgetExceededException)
        {
            throw;
        }
        catch (KernelException)
        {
            throw;
        }
#pragma warning disable CA1031 // Any failure of the model call (after the client's own retries) is an LLM failure; the run ends LLM_FAILED_FATALLY.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.LlmFailed(run.Logger, context.Agent.Name, ex);
            throw new LlmCallException($"LLM call for agent '{context.Agent.Name}' failed: {ex.Message}", ex);
        }
    }

    [GeneratedRegex(@"\[([^\]]+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex CitationPattern();

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, EventName = "agent_failed", Level = LogLevel.Warning, Message = "Agent {Agent} failed")]
        public static partial void AgentFailed(ILogger logger, string agent, Exception exception);

        [LoggerMessage(EventId = 3102, EventName = "agent_missing_required_fields", Level = LogLevel.Warning, Message = "Agent {Agent} output lacks required fields: {Fields}")]
        public static partial void MissingFields(ILogger logger, string agent, string fields);

        [LoggerMessage(EventId = 3103, EventName = "agent_output_not_valid", Level = LogLevel.Warning, Message = "Agent {Agent} gave no valid JSON object after {Attempts} attempt(s); keeping what it gave")]
        public static partial void OutputNotValid(ILogger logger, string agent, int attempts);

        [LoggerMessage(EventId = 3104, EventName = "llm_call_failed", Level = LogLevel.Error, Message = "LLM call for agent {Agent} failed")]
        public static partial void LlmFailed(ILogger logger, string agent, Exception exception);
    }
}

/// <summary>A model call failed after the client's own retries; the run ends <see cref="TerminalReason.LlmFailedFatally"/>.</summary>
internal sealed class LlmCallException(string message, Exception inner) : Exception(message, inner);

/// <summary>The chat clients LLM agents use, by model role, each wrapped once with metering.</summary>
internal sealed class ChatClients
{
    private readonly PipelineRunnerOptions _options;
    private readonly IKernelClient _kernel;
    private readonly ILogger _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IChatClient> _byRole = new(StringComparer.Ordinal);
    private IChatClient? _default;

    public ChatClients(PipelineRunnerOptions options, IKernelClient kernel, ILogger logger)
    {
        _options = options;
        _kernel = kernel;
        _logger = logger;
    }

    public IChatClient For(string? role)
    {
        if (role is not null && _options.ChatClientForRole?.Invoke(role) is { } specific)
        {
            return _byRole.GetOrAdd(role, _ => Metered(specific));
        }

        return _default ??= Metered(_options.ChatClient ?? throw new InvalidOperationException(
            "No chat client is configured for LLM agents: register an IChatClient (AddOpenAIChatClient, AddMockChatClient, AddChatClientFromEnvironment) or set PipelineRunnerOptions.ChatClient."));
    }

    private IChatClient Metered(IChatClient client) =>
        client.GetService<MeteringChatClient>() is not null ? client : new MeteringChatClient(client, _kernel, _options.Prices, _logger);
}
