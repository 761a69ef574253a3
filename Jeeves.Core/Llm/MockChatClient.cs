using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Jeeves.Llm;

/// <summary>
/// Represents a deterministic, scriptable <see cref="IChatClient"/> for tests and for running pipelines without a model
/// (<c>MOCK_LLM_ENABLED</c>). It logs every call and answers from its rules, or else with a default answer.
/// </summary>
/// <remarks>
/// <para>
/// Rules (<see cref="AddRule"/>, <see cref="On"/>) are tried in the order they were added; the first match answers, and a
/// one-shot rule is then removed. Without a match the mock gives its default answer:
/// </para>
/// <list type="bullet">
/// <item><description>When <see cref="ChatOptions.ResponseFormat"/> is JSON with a schema, a JSON object that satisfies the
/// schema: a string enum gets the value whose words (underscores and hyphens read as spaces, any case) all occur in the last
/// user message, preferring the value with most words, else the value <c>general</c> if there is one, else the first value;
/// a response-like string (a property named <c>response</c>, <c>answer</c>, <c>reply</c>, <c>message</c>, <c>text</c>
/// or <c>content</c>, or containing one of the first three) gets the text answer below, any other string a short
/// sentence; booleans are <see langword="false"/>; numbers are their minimum, or 0; arrays are empty (or hold
/// <c>minItems</c> items); objects are built the same way, property by property. JSON without a schema gets
/// <c>{"response": text answer}</c>.</description></item>
/// <item><description>Otherwise a text answer: up to two sentences, taken from the system (and tool) messages, that share the
/// most words with the last user message, ignoring stop words and words under three letters, in the order they appear;
/// when no sentence shares a word, <see cref="NoInformationAnswer"/>.</description></item>
/// </list>
/// <para>
/// The mock is deterministic and pure with respect to the prompt: the same messages and response format always give the
/// same answer, whatever was asked before (spec/runtime.md §12 #24), and <see cref="CallCount"/> equals the number of
/// calls. Words are matched as whole words, not substrings (the reference's substring tests are quirk Q20).
/// </para>
/// <para>
/// Usage is always reported: the reply's explicit counts, else a quarter of the characters (rounded up) of all message
/// text for input and of the reply (text, plus each tool call's name and JSON arguments) for output. A streaming call
/// yields the text word by word (each word with the whitespace after it) or the reply's explicit chunks, then the tool
/// calls, then a last update with the <see cref="UsageContent"/>; a reply's <see cref="MockReply.ChunkDelay"/> paces the chunks.
/// </para>
/// <para>All members are thread-safe. <see cref="ChatClientMetadata"/> reports provider <c>mock</c> and model <c>mock</c>.</para>
/// </remarks>
public sealed class MockChatClient : IChatClient
{
    /// <summary>The provider name the mock reports: <c>mock</c>.</summary>
    public const string ProviderName = "mock";

    /// <summary>The model id the mock reports: <c>mock</c>.</summary>
    public const string ModelName = "mock";

    /// <summary>The text answer when no system sentence shares a word with the user's message.</summary>
    public const string NoInformationAnswer = "I don't have information about that yet.";

    private static readonly ChatClientMetadata s_metadata = new(ProviderName, providerUri: null, defaultModelId: ModelName);

    private readonly Lock _lock = new();
    private readonly List<MockRule> _rules = [];
    private readonly List<MockChatCall> _calls = [];
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="MockChatClient"/> class.</summary>
    /// <param name="timeProvider">The clock that <see cref="MockReply.Delay"/> waits on; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public MockChatClient(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the number of calls received, failed ones included.</summary>
    public int CallCount
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>Gets a copy of the call log, oldest first.</summary>
    public IReadOnlyList<MockChatCall> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Adds a rule after the existing ones.</summary>
    /// <param name="rule">The rule; it needs exactly one of <see cref="MockRule.Reply"/> and <see cref="MockRule.ReplyFactory"/>.</param>
    /// <returns>This mock.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The rule has no reply, or two.</exception>
    public MockChatClient AddRule(MockRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if ((rule.Reply is null) == (rule.ReplyFactory is null))
        {
            throw new ArgumentException($"A mock rule needs exactly one of {nameof(MockRule.Reply)} and {nameof(MockRule.ReplyFactory)}.", nameof(rule));
        }

        lock (_lock)
        {
            _rules.Add(rule);
        }

        return this;
    }

    /// <summary>Starts a rule for the calls that match every condition given; finish it with a <c>Reply</c> method.</summary>
    /// <param name="agentName">The agent the call must come from, or <see langword="null"/> for any.</param>
    /// <param name="promptPattern">A regular expression that must match the prompt text, or <see langword="null"/> for any text.</param>
    /// <param name="predicate">A test the call must pass, or <see langword="null"/>.</param>
    /// <returns>The rule builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="promptPattern"/> is not a valid regular expression.</exception>
    public MockRuleBuilder On(string? agentName = null, string? promptPattern = null, Func<MockChatCall, bool>? predicate = null) =>
        new(this, new MockRule
        {
            AgentName = agentName,
            PromptPattern = promptPattern is null ? null : new Regex(promptPattern, RegexOptions.CultureInvariant),
            Predicate = predicate,
        });

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (MockChatCall call, MockReply? reply) = Receive(messages, options, isStreaming: false);
        await WaitAndThrowAsync(reply, cancellationToken);
        Answer answer = Compose(call, reply);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer.Contents()))
        {
            ModelId = ModelName,
            FinishReason = answer.FinishReason,
            Usage = answer.Usage(),
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (MockChatCall call, MockReply? reply) = Receive(messages, options, isStreaming: true);
        await WaitAndThrowAsync(reply, cancellationToken);
        Answer answer = Compose(call, reply);
        bool first = true;
        foreach (string chunk in reply?.Chunks ?? SplitWords(answer.Text))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!first && reply is { ChunkDelay: { } pause } && pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, _timeProvider, cancellationToken);
            }

            first = false;
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { ModelId = ModelName };
        }

        if (answer.ToolCalls.Count > 0)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [.. answer.ToolCalls]) { ModelId = ModelName };
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(answer.Usage())])
        {
            ModelId = ModelName,
            FinishReason = answer.FinishReason,
        };
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? s_metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    /// <summary>Splits a text into words, each with the whitespace after it (leading whitespace goes with the first word).</summary>
    internal static List<string> SplitWords(string text)
    {
        var chunks = new List<string>();
        int start = 0;
        int i = 0;
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        while (i < text.Length)
        {
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            chunks.Add(text[start..i]);
            start = i;
        }

        if (start < text.Length)
        {
            chunks.Add(text[start..]);
        }

        return chunks;
    }

    private (MockChatCall Call, MockReply? Reply) Receive(IEnumerable<ChatMessage> messages, ChatOptions? options, bool isStreaming)
    {
        ChatMessage[] copy = [.. messages];
        lock (_lock)
        {
            var call = new MockChatCall(_calls.Count + 1, copy, options, isStreaming);
            _calls.Add(call);
            for (int i = 0; i < _rules.Count; i++)
            {
                MockRule rule = _rules[i];
                if (rule.Matches(call))
                {
                    if (rule.Once)
                    {
                        _rules.RemoveAt(i);
                    }

                    return (call, rule.Reply ?? rule.ReplyFactory!(call));
                }
            }

            return (call, null);
        }
    }

    private async Task WaitAndThrowAsync(MockReply? reply, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (reply is { Delay: { } delay } && delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }

        if (reply?.Exception is { } exception)
        {
            throw exception;
        }
    }

    private static Answer Compose(MockChatCall call, MockReply? reply)
    {
        IReadOnlyList<FunctionCallContent> toolCalls = reply?.ToolCalls ?? [];
        string text = reply?.Text
            ?? (reply?.Chunks is { } chunks ? string.Concat(chunks) : null)
            ?? (toolCalls.Count > 0 ? string.Empty : MockAnswers.Default(call.Messages, call.Options));
        long inputTokens = reply?.InputTokens ?? CeilQuarter(call.Messages.Sum(m => (long)m.Text.Length));
        long replyChars = text.Length + toolCalls.Sum(c => (long)c.Name.Length + ArgumentsLength(c));
        long outputTokens = reply?.OutputTokens ?? CeilQuarter(replyChars);
        return new Answer(text, toolCalls, inputTokens, outputTokens);
    }

    private static long ArgumentsLength(FunctionCallContent call) =>
        call.Arguments is null ? 0 : JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))).Length;

    private static long CeilQuarter(long chars) => (chars + 3) / 4;

    private sealed record Answer(string Text, IReadOnlyList<FunctionCallContent> ToolCalls, long InputTokens, long OutputTokens)
    {
        public ChatFinishReason FinishReason => ToolCalls.Count > 0 ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop;

        public List<AIContent> Contents()
        {
            var contents = new List<AIContent>();
            if (Text.Length > 0 || ToolCalls.Count == 0)
            {
                contents.Add(new TextContent(Text));
            }

            contents.AddRange(ToolCalls);
            return contents;
        }

        public UsageDetails Usage() => new()
        {
            InputTokenCount = InputTokens,
            OutputTokenCount = OutputTokens,
            TotalTokenCount = InputTokens + OutputTokens,
        };
    }
}
