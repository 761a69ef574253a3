using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Jeeves.Benchmarks.Runtime;

/// <summary>
/// A model that answers at once: every call completes synchronously with the same cached <see cref="ChatResponse"/>, a
/// small JSON object with its usage, so a benchmark measures only what the caller does around the call.
/// </summary>
/// <remarks>Thread-safe. The response is shared: callers must not change it (the runner only reads its text).</remarks>
internal sealed class ZeroLatencyChatClient : IChatClient
{
    /// <summary>The text every call answers with.</summary>
    public const string Answer = """{"step":"done","n":1}""";

    private readonly ChatResponse _response;
    private readonly Task<ChatResponse> _completed;
    private long _calls;

    public ZeroLatencyChatClient()
    {
        _response = new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer))
        {
            ModelId = "bench-model",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 42, OutputTokenCount = 8, TotalTokenCount = 50 },
        };
        _completed = Task.FromResult(_response);
    }

    /// <summary>Gets the number of calls answered so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        _ = Interlocked.Increment(ref _calls);
        return _completed;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _ = Interlocked.Increment(ref _calls);
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (ChatResponseUpdate update in _response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this : null;

    public void Dispose()
    {
    }
}
