using Microsoft.Extensions.AI;

namespace Jeeves.Llm;

/// <summary>
/// Represents what a <see cref="MockChatClient"/> answers to a call that a <see cref="MockRule"/> matched.
/// </summary>
/// <remarks>
/// A reply with neither <see cref="Text"/>, <see cref="Chunks"/>, <see cref="ToolCalls"/> nor <see cref="Exception"/>
/// gives the mock's default answer, so a rule can add only a delay or explicit token counts.
/// </remarks>
public sealed record MockReply
{
    /// <summary>Gets the answer text; <see langword="null"/> for the concatenated <see cref="Chunks"/>, or the default answer.</summary>
    public string? Text { get; init; }

    /// <summary>Gets the tool calls the assistant message carries, after the text; <see langword="null"/> or empty for none.</summary>
    public IReadOnlyList<FunctionCallContent>? ToolCalls { get; init; }

    /// <summary>Gets the input tokens to report; <see langword="null"/> for a quarter of the characters of all message text, rounded up.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Gets the output tokens to report; <see langword="null"/> for a quarter of the characters of the reply, rounded up.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Gets the text pieces a streaming call yields, in order; <see langword="null"/> to split the text into words, each with the whitespace after it.</summary>
    public IReadOnlyList<string>? Chunks { get; init; }

    /// <summary>Gets the exception the call throws (after <see cref="Delay"/>) instead of answering; <see langword="null"/> to answer.</summary>
    public Exception? Exception { get; init; }

    /// <summary>Gets how long the call waits, on the mock's <see cref="TimeProvider"/>, before it answers or throws.</summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// Gets how long a streaming call waits, on the mock's <see cref="TimeProvider"/>, between two text chunks (not before
    /// the first), so a reader can watch the answer arrive piece by piece. A non-streaming call ignores it.
    /// </summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan ChunkDelay { get; init; }

    /// <summary>Creates a reply with a text answer.</summary>
    /// <param name="text">The answer.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static MockReply FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new MockReply { Text = text };
    }

    /// <summary>Creates a reply that asks for tool calls, with no text.</summary>
    /// <param name="toolCalls">The calls.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="toolCalls"/> is <see langword="null"/>.</exception>
    public static MockReply FromToolCalls(params IEnumerable<FunctionCallContent> toolCalls)
    {
        ArgumentNullException.ThrowIfNull(toolCalls);
        return new MockReply { Text = string.Empty, ToolCalls = [.. toolCalls] };
    }

    /// <summary>Creates a reply that fails the call.</summary>
    /// <param name="exception">The exception to throw.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public static MockReply FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new MockReply { Exception = exception };
    }
}
