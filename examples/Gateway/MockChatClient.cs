using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Jeeves.Examples.Gateway;

/// <summary>
/// A deterministic model for running the gateway without an API key: it answers from the prompt's <c>Question</c>,
/// <c>Topic</c> and <c>City</c> lines, streaming a word at a time with a short pause between words.
/// </summary>
public sealed class MockChatClient(TimeProvider timeProvider, TimeSpan tokenDelay) : IChatClient
{
    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var text = new System.Text.StringBuilder();
        await foreach (ChatResponseUpdate update in GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            text.Append(update.Text);
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.ToString()))
        {
            Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = text.Length / 4 },
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string prompt = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        string answer = Answer(prompt);
        string[] words = answer.Split(' ');
        for (int i = 0; i < words.Length; i++)
        {
            if (i > 0 && tokenDelay > TimeSpan.Zero)
            {
                await Task.Delay(tokenDelay, timeProvider, cancellationToken);
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? words[i] : " " + words[i]);
        }
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    /// <summary>The answer the mock gives to a prompt.</summary>
    public static string Answer(string prompt)
    {
        string Line(string name) => prompt.Split('\n').FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? string.Empty;
        string question = Line("Question");
        string city = Line("City");
        return Line("Topic") == "weather" && city.Length > 0
            ? $"The weather in {city} is mild and sunny today, with a light breeze. (This is the mock model's forecast.)"
            : $"Hello! I am Jeeves, running on the mock model. You asked: \"{question}\". Set up a real model to get a real answer.";
    }
}
