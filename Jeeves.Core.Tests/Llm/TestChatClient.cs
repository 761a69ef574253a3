using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Jeeves.Tests.Llm;

/// <summary>A hand-written <see cref="IChatClient"/> fake whose behaviour is set through delegates (the MEAI test pattern).</summary>
internal sealed class TestChatClient : IChatClient
{
    private int _calls;

    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>>? GetResponseAsyncCallback { get; set; }

    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? GetStreamingResponseAsyncCallback { get; set; }

    public ChatClientMetadata Metadata { get; set; } = new("test", defaultModelId: "test-model");

    public int Calls => Volatile.Read(ref _calls);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return GetResponseAsyncCallback!(messages, options, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return GetStreamingResponseAsyncCallback!(messages, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    /// <summary>Yields the given updates, waiting on <paramref name="gate"/> after the first.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> Stream(IEnumerable<ChatResponseUpdate> updates, Task? gate = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        bool first = true;
        foreach (ChatResponseUpdate update in updates)
        {
            yield return update;
            if (first && gate is not null)
            {
                await gate.WaitAsync(cancellationToken);
            }

            first = false;
        }
    }
}
