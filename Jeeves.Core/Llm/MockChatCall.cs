using Microsoft.Extensions.AI;

namespace Jeeves.Llm;

/// <summary>Represents one call a <see cref="MockChatClient"/> received, as logged and as offered to <see cref="MockRule"/>s.</summary>
public sealed class MockChatCall
{
    internal MockChatCall(int sequence, IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool isStreaming)
    {
        Sequence = sequence;
        Messages = messages;
        Options = options;
        IsStreaming = isStreaming;
        AgentName = LlmCallContext.FromOptions(options)?.AgentName;
        PromptText = string.Join("\n", messages.Select(m => m.Text));
        LastUserMessage = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
    }

    /// <summary>Gets the call's position among the mock's calls, from 1.</summary>
    public int Sequence { get; }

    /// <summary>Gets the agent that made the call, from the <see cref="LlmCallContext"/> in the options; <see langword="null"/> without one.</summary>
    public string? AgentName { get; }

    /// <summary>Gets the messages sent (a copy of the list; the messages themselves are the caller's).</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets the options sent, as the caller passed them.</summary>
    public ChatOptions? Options { get; }

    /// <summary>Gets a value indicating whether the call was a streaming one.</summary>
    public bool IsStreaming { get; }

    /// <summary>Gets the text of every message, joined by newlines; what <see cref="MockRule.PromptPattern"/> is matched against.</summary>
    public string PromptText { get; }

    /// <summary>Gets the text of the last user message, or the empty string when there is none.</summary>
    public string LastUserMessage { get; }
}
