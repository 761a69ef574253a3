using System.Text.Json;
using System.Text.Json.Nodes;
using Jeeves.Runtime;

namespace Jeeves.Examples.HelloWorld;

/// <summary>
/// An onboarding chatbot about Jeeves.Core: <c>understand</c> classifies the question (and asks a clarification when it is
/// too vague), <c>think_knowledge</c> retrieves what the knowledge base says or <c>think_tools</c> calls a tool, and
/// <c>respond</c> streams the answer, looping back to <c>understand</c> once when it lacks information.
/// </summary>
public sealed class OnboardingCapability : ICapability
{
    /// <summary>The pipeline's name.</summary>
    public const string Pipeline = "onboarding_chatbot";

    /// <summary>The question a vague message gets.</summary>
    public const string ClarificationQuestion =
        "What would you like to know about Jeeves.Core: how it is built, a concept such as envelopes or pipelines, how to get started, or how routing works?";

    private const string NoInformation = "I don't have information about that yet.";

    private static readonly string[] Intents = ["architecture", "concept", "getting_started", "component", "routing", "tools", "general", "unclear"];
    private static readonly string[] VagueMessages = ["help", "help me", "?", "info", "hmm", "question", "explain"];

    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="OnboardingCapability"/> class on the system clock.</summary>
    public OnboardingCapability()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OnboardingCapability"/> class.</summary>
    /// <param name="time">The clock the <c>get_time</c> tool reads.</param>
    /// <param name="maxLlmCalls">The run's LLM-call budget (6, as in the reference).</param>
    public OnboardingCapability(TimeProvider time, int maxLlmCalls = 6)
    {
        _time = time;
        PipelineConfig = CreatePipeline(maxLlmCalls);
    }

    /// <inheritdoc/>
    public string Id => "hello_world";

    /// <summary>Gets the pipeline: bounds as in the reference (3 loop iterations, 6 LLM calls, 12 agent hops).</summary>
    public PipelineConfig PipelineConfig { get; }

    private static PipelineConfig CreatePipeline(int maxLlmCalls) => new()
    {
        Name = Pipeline,
        Stages =
        [
            new PipelineStage("understand", "understand",
            [
                RoutingRule.When("success", false, "respond"),
                RoutingRule.When("intent", "tools", "think_tools"),
                RoutingRule.Always("think_knowledge"),
            ]),
            new PipelineStage("think_knowledge", "think_knowledge", [RoutingRule.Always("respond")]),
            new PipelineStage("think_tools", "think_tools", [RoutingRule.Always("respond")]),
            new PipelineStage("respond", "respond", [RoutingRule.When("needs_more_context", true, "understand")]),
        ],
        MaxIterations = 3,
        MaxLlmCalls = maxLlmCalls,
        MaxAgentHops = 12,
        ResumeStages = new Dictionary<InterruptKind, string> { [InterruptKind.Clarification] = "understand" },
    };

    /// <inheritdoc/>
    public void Register(CapabilityBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        _ = builder
            .AddPrompt(Prompts.Understand, Prompts.UnderstandUser, Prompts.UnderstandSystem, version: "1.0")
            .AddPrompt(Prompts.Respond, Prompts.RespondUser, Prompts.RespondSystem, version: "1.0")
            .AddTool(ChatTools.GetTimeEntry, ChatTools.GetTime(_time))
            .AddTool(ChatTools.ListToolsEntry, ChatTools.ListTools)
            .AddAgent(new AgentDefinition
            {
                Name = "understand",
                Description = "Classifies the question into an intent and a topic",
                Prompt = Prompts.Understand,
                ModelRole = "understand",
                OutputKey = "understanding",
                OutputSchema = UnderstandSchema,
                RequiredOutputFields = ["intent", "topic"],
                Temperature = 0.1f,
                MaxOutputTokens = 300,
                Before = BeforeUnderstand,
                After = AfterUnderstand,
            })
            .AddAgent(new AgentDefinition
            {
                Name = "think_knowledge",
                Description = "Retrieves the knowledge sections that fit the question",
                OutputKey = "think_results",
                Handler = ThinkKnowledge,
            })
            .AddAgent(new AgentDefinition
            {
                Name = "think_tools",
                Description = "Calls the chatbot's tools when the question needs them",
                OutputKey = "think_results",
                Tools = [ChatTools.GetTimeEntry.Id, ChatTools.ListToolsEntry.Id],
                Handler = ThinkToolsAsync,
            })
            .AddAgent(new AgentDefinition
            {
                Name = "respond",
                Description = "Answers from what the think stage gathered, streaming the answer",
                Prompt = Prompts.Respond,
                ModelRole = "respond",
                OutputKey = "final_response",
                OutputMode = AgentOutputMode.Text,
                StreamTokens = true,
                Temperature = 0.5f,
                MaxOutputTokens = 800,
                StopSequences = ["\n\n\n", "User:", "Question:"],
                Before = BeforeRespond,
                After = AfterRespond,
            })
            .AddPipeline(PipelineConfig);
    }

    private static JsonElement UnderstandSchema { get; } = JsonDocument.Parse($$"""
        {
          "type": "object",
          "properties": {
            "intent": { "type": "string", "enum": [{{string.Join(", ", Intents.Select(static i => $"\"{i}\""))}}] },
            "topic": { "type": "string" },
            "reasoning": { "type": "string" }
          },
          "required": ["intent", "topic", "reasoning"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    private static ValueTask BeforeUnderstand(AgentContext context, CancellationToken cancellationToken)
    {
        string message = context.Input.Trim();
        if (context.LastInterrupt is { Status: InterruptStatus.Resolved, Response.Text: { Length: > 0 } answer })
        {
            message = $"{message} ({answer.Trim()})";
        }

        context.State["user_message"] = message;
        context.State["conversation_history"] = FormatHistory(context.State);
        return ValueTask.CompletedTask;
    }

    private static ValueTask AfterUnderstand(AgentContext context, CancellationToken cancellationToken)
    {
        JsonObject output = context.Output ??= [];
        string message = context.State["user_message"]?.GetValue<string>() ?? context.Input;
        string intent = Text(output["intent"]) is { } i && Intents.Contains(i) ? i : "general";
        string lower = message.ToLowerInvariant();
        if (intent == "general" && (ContainsAny(lower, "time", "date", "clock", "what day") || ContainsAny(lower, "tools", "what can you")))
        {
            intent = "tools";       // the keyword check backs up a model that files clock and tool questions under general
        }

        bool vague = intent == "unclear" || VagueMessages.Contains(lower.Trim(' ', '.', '!'));
        if (vague && context.LastInterrupt is null)
        {
            context.RequestInterrupt(InterruptKind.Clarification, ClarificationQuestion);
        }

        if (intent == "unclear")
        {
            intent = "general";
        }

        output["intent"] = intent;
        output["topic"] = Text(output["topic"]) ?? string.Empty;
        context.State["intent"] = intent;
        context.State["topic"] = output["topic"]!.DeepClone();
        return ValueTask.CompletedTask;
    }

    private static ValueTask<JsonObject> ThinkKnowledge(AgentContext context, CancellationToken cancellationToken)
    {
        string intent = Text(context.State["intent"]) ?? "general";
        string message = Text(context.State["user_message"]) ?? context.Input;
        bool broaden = context.State["broaden"]?.GetValue<bool>() == true;
        IReadOnlyList<string> sections = KnowledgeBase.Select(intent, message, broaden);
        context.State["targeted_knowledge"] = KnowledgeBase.Render(sections);
        return ValueTask.FromResult(new JsonObject
        {
            ["sections"] = new JsonArray([.. sections.Select(static s => JsonValue.Create(s))]),
            ["has_data"] = true,
        });
    }

    private static async ValueTask<JsonObject> ThinkToolsAsync(AgentContext context, CancellationToken cancellationToken)
    {
        string words = $"{Text(context.State["topic"])} {Text(context.State["user_message"]) ?? context.Input}".ToLowerInvariant();
        string toolId = ContainsAny(words, "time", "date", "clock", "day") ? "get_time" : "list_tools";
        JsonObject result = await context.CallToolAsync(toolId, cancellationToken: cancellationToken).ConfigureAwait(false);
        JsonNode? data = result["data"];
        string knowledge = result["status"]?.GetValue<string>() != "success" || data is null
            ? $"The {toolId} tool failed: {Text(result["error"])}"
            : toolId == "get_time"
                ? $"Current date: {Text(data["date"])}, time: {Text(data["time"])} {Text(data["timezone"])}, day: {Text(data["day_of_week"])}."
                : $"Available tools: get_time, list_tools. Capabilities: {string.Join("; ", data["capabilities"]!.AsArray().Select(static c => Text(c)))}.";
        context.State["targeted_knowledge"] = knowledge;
        return new JsonObject { ["tool"] = toolId, ["result"] = result.DeepClone(), ["has_data"] = true };
    }

    private static ValueTask BeforeRespond(AgentContext context, CancellationToken cancellationToken)
    {
        JsonObject state = context.State;
        state["user_message"] ??= context.Input;
        state["intent"] ??= "general";
        state["topic"] ??= string.Empty;
        state["conversation_history"] = FormatHistory(state);
        state["targeted_knowledge"] ??= KnowledgeBase.Render(["overview"]);
        return ValueTask.CompletedTask;
    }

    private static ValueTask AfterRespond(AgentContext context, CancellationToken cancellationToken)
    {
        JsonObject output = context.Output ??= [];
        string response = Text(output["response"])?.Trim() ?? string.Empty;
        int loops = context.State["_routing_loop_count"]?.GetValue<int>() ?? 0;
        if (response.Contains(NoInformation, StringComparison.OrdinalIgnoreCase) && loops < 1)
        {
            context.State["_routing_loop_count"] = loops + 1;
            context.State["broaden"] = true;
            output["needs_more_context"] = true;     // routes back to understand for a second, broader pass
            return ValueTask.CompletedTask;
        }

        output["needs_more_context"] = false;
        output["response"] = response.Length > 0 ? response : "Sorry, I could not put an answer together. Please ask again in other words.";
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The earlier turns for the prompts, from the run's <c>conversation_history</c> (an array of <c>role</c> and
    /// <c>content</c> objects, as the console and the HTTP gateway pass it); once formatted it is kept as it is.
    /// </summary>
    private static string FormatHistory(JsonObject state)
    {
        JsonNode? history = state["conversation_history"];
        if (history is JsonValue formatted && formatted.TryGetValue(out string? text))
        {
            return text;
        }

        if (history is not JsonArray turns || turns.Count == 0)
        {
            return "No previous conversation.";
        }

        return string.Join('\n', turns.TakeLast(5).Select(static t =>
        {
            string role = Text(t?["role"]) ?? "user";
            return $"{char.ToUpperInvariant(role[0])}{role[1..]}: {Text(t?["content"])}";
        }));
    }

    private static bool ContainsAny(string text, params string[] words) => words.Any(w => text.Contains(w, StringComparison.Ordinal));

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
