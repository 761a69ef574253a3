namespace Jeeves.Examples.HelloWorld;

/// <summary>What the onboarding chatbot knows about Jeeves.Core, in seven sections it retrieves by intent and by words.</summary>
public static class KnowledgeBase
{
    /// <summary>The sections by name, in reading order.</summary>
    public static IReadOnlyDictionary<string, string> Sections { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["overview"] = """
            Hello, I am the onboarding guide for Jeeves.Core, and I answer questions about its kernel, its runtime and this example.
            Jeeves.Core is a .NET 10 library that governs AI agents the way an operating system governs programs.
            A capability declares agents, prompts, tools and pipelines, and the kernel decides which agent runs next.
            Every request is a kernel process with a budget: LLM calls, tool calls, agent hops, loop iterations, tokens and wall-clock time.
            The kernel pauses a run when a human must answer, resumes it afterwards, and publishes every step as an event on its message bus.
            It runs inside your process as a single-threaded actor, or in its own process behind a loopback TCP and MessagePack host.
            A capability uses the same IKernelClient interface either way, so moving the kernel out of process changes one line of setup.
            """,
        ["kernel"] = """
            The kernel keeps a process table where each request moves through the states NEW, READY, RUNNING, WAITING, BLOCKED and TERMINATED.
            The scheduler hands out ready processes by priority, first come first served within a priority.
            Quotas cap what a process may use, and usage reported with each agent result is charged to the process in the same step.
            Per-user rate limits use exact sliding windows per minute, hour and day, and a refusal tells the caller when to retry.
            Interrupts pause a process for a clarification, a confirmation or a review; answering one resumes the run where the pipeline says.
            Tool health is tracked per tool, and a circuit breaker refuses a tool after repeated failures until it recovers.
            All kernel state lives in one actor fed by a bounded channel, so the kernel needs no locks and one failing command never stops it.
            """,
        ["concepts"] = """
            An envelope carries one request through a pipeline: the raw input, each agent's output, the budget counters and any pending interrupt.
            A pipeline is an ordered list of stages; each stage names the agent that runs it and routing rules that choose the next stage.
            An agent is either an LLM agent that renders a prompt and calls a model, a tool-using agent that lets the model call tools, or plain code.
            Hooks run before and after an agent, see the run's shared state, and may change the agent's output.
            A capability is the unit you ship: it registers its agents, prompts, tools and pipelines with AddCapability.
            The PipelineRunner drives a run: it asks the kernel for the next instruction, runs the agent, and reports the result with its usage.
            Every model call goes through IChatClient from Microsoft.Extensions.AI, wrapped by a metering client that enforces the LLM budget.
            """,
        ["code"] = """
            Register the kernel and a capability with services.AddJeevesKernel().AddCapability<MyCapability>() and resolve PipelineRunner.
            A plain-code agent is new AgentDefinition { Name = "think", Handler = (context, ct) => ValueTask.FromResult(new JsonObject()) }.
            An LLM agent names a prompt: new AgentDefinition { Name = "understand", Prompt = "chatbot.understand", OutputSchema = schema }.
            A tool is a catalog entry plus a handler: builder.AddTool(new ToolEntry { Id = "get_time" }, (arguments, ct) => ...).
            A prompt is a template with placeholders in braces: builder.AddPrompt("chatbot.respond", user: "{user_message}", system: "...").
            Run a pipeline with await runner.RunAsync(new RunRequest { Pipeline = "onboarding_chatbot", Input = question }).
            Stream a run with await foreach (RunEvent e in runner.StreamAsync(request)) and handle TokenDelta, AgentStarted and RunCompleted.
            """,
        ["hello_world"] = """
            The hello world chatbot lives in examples/HelloWorld: OnboardingCapability.cs declares the pipeline, Prompts.cs the prompts, KnowledgeBase.cs this text and ChatTools.cs the tools.
            The pipeline onboarding_chatbot runs understand, then think_knowledge or think_tools, then respond.
            The understand agent classifies the question into an intent and a topic, and asks a clarification when the question is too vague.
            The think_knowledge agent retrieves the knowledge sections that match the intent and the words of the question.
            The think_tools agent calls the get_time and list_tools tools through the kernel's governed tool path.
            The respond agent streams its answer token by token and loops back to understand once when it lacks information.
            Without an API key it answers on a deterministic mock model, and with JEEVES_LLM_API_KEY or OPENAI_API_KEY it uses a real model.
            """,
        ["how_to"] = """
            To add a tool, declare a ToolEntry with its parameters, register it with AddTool and list its id in the agent's Tools.
            To add an agent, register an AgentDefinition and add a stage that names it to the pipeline.
            To change the flow, edit the routing rules of the stages: the first rule whose condition matches the agent's output wins.
            To run the example, use dotnet run --project examples/HelloWorld -- "What does the kernel do?".
            To run the tests, use dotnet test Jeeves.Core.sln -c Release; they use a fake clock and finish in seconds.
            To use a real model, set JEEVES_LLM_API_KEY and optionally JEEVES_LLM_BASE_URL and JEEVES_LLM_MODEL for any OpenAI-compatible server.
            To run the kernel in another process, start examples/KernelHost and pass --kernel 127.0.0.1:50051 to this example.
            If a run ends with MAX_LLM_CALLS_EXCEEDED, raise MaxLlmCalls on the pipeline or give the process a larger quota.
            """,
        ["routing"] = """
            A routing rule has a condition field, a value and a target stage, and the kernel checks the rules of a stage in order.
            A rule without a condition always matches, so put it last as the default route.
            A stage with no matching rule ends the pipeline with COMPLETED.
            A failed agent reports success false, so a rule on the field success with value false routes failures to a recovery stage.
            Routing back to an earlier stage is a loop, and each loop counts one iteration against MaxIterations.
            MaxAgentHops bounds the total number of agent runs, and MaxLlmCalls bounds the model calls of the whole run.
            """,
    };

    /// <summary>Each section's title, which answers cite in square brackets.</summary>
    public static IReadOnlyDictionary<string, string> Titles { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["overview"] = "Overview",
        ["kernel"] = "The kernel",
        ["concepts"] = "Key concepts",
        ["code"] = "Code examples",
        ["hello_world"] = "This example",
        ["how_to"] = "How-to guides",
        ["routing"] = "Conditional routing",
    };

    /// <summary>The sections each intent starts from.</summary>
    public static IReadOnlyDictionary<string, string[]> SectionsByIntent { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["architecture"] = ["overview", "kernel"],
        ["concept"] = ["concepts", "code"],
        ["getting_started"] = ["hello_world", "how_to"],
        ["component"] = ["kernel", "concepts"],
        ["routing"] = ["routing", "concepts"],
    };

    /// <summary>Picks the sections for a question: the intent's own, plus the ones that share the most words with the question.</summary>
    /// <param name="intent">The classified intent.</param>
    /// <param name="question">The user's words.</param>
    /// <param name="broaden">Whether to take more sections (a second pass after the answer lacked information).</param>
    /// <returns>The section names, best first.</returns>
    public static IReadOnlyList<string> Select(string intent, string question, bool broaden = false)
    {
        var chosen = new List<string>(SectionsByIntent.TryGetValue(intent, out string[]? preset) ? preset : []);
        HashSet<string> words = Words(question);
        IEnumerable<string> ranked = Sections
            .Select(s => (s.Key, Score: Tokens(s.Value).Count(words.Contains)))
            .Where(static s => s.Score > 0)
            .OrderByDescending(static s => s.Score)
            .Select(static s => s.Key);
        foreach (string name in ranked.Take(broaden ? 4 : 2))
        {
            if (!chosen.Contains(name))
            {
                chosen.Add(name);
            }
        }

        if (chosen.Count == 0)
        {
            chosen.Add("overview");
        }

        return chosen;
    }

    /// <summary>Joins sections into the text the respond prompt shows the model, each sentence tagged with its section's title so answers can cite it.</summary>
    /// <param name="names">The section names.</param>
    /// <returns>The text.</returns>
    public static string Render(IEnumerable<string> names) =>
        string.Join("\n\n", names.Where(Sections.ContainsKey).Select(n => string.Join('\n',
            Sections[n].Trim().Split('\n').Select(line => $"[{Titles[n]}] {line.Trim()}"))));

    internal static HashSet<string> Words(string text) => [.. Tokens(text).Where(static w => !StopWords.Contains(w))];

    private static IEnumerable<string> Tokens(string text) =>
        text.ToLowerInvariant()
            .Split([' ', '\n', '\r', '\t', '.', ',', ';', ':', '?', '!', '(', ')', '"', '\'', '[', ']'], StringSplitOptions.RemoveEmptyEntries)
            .Select(static w => w.EndsWith('s') && w.Length > 4 ? w[..^1] : w)
            .Where(static w => w.Length >= 3);

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "how", "are", "can", "you", "who", "why", "its", "use", "get",
        "what", "doe", "does", "with", "this", "that", "there", "their", "about", "from", "have", "when", "where", "which", "your", "into",
        "each", "they", "them", "then", "than", "will", "would", "could", "should", "also", "only", "just", "tell", "please",
    };
}
