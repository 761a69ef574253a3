using Microsoft.Extensions.AI;

namespace Jeeves.Llm;

/// <summary>
/// Chat options that carry their <see cref="LlmCallContext"/> as a field rather than in
/// <see cref="ChatOptions.AdditionalProperties"/>: what the runtime sends for each model call, without a dictionary per
/// call, and with nothing extra for a provider to put on the wire. Clones (which middleware makes before changing options)
/// keep the context.
/// </summary>
internal sealed class MeteredChatOptions : ChatOptions
{
    public MeteredChatOptions(LlmCallContext meter) => Meter = meter;

    private MeteredChatOptions(MeteredChatOptions other)
        : base(other) => Meter = other.Meter;

    /// <summary>Gets the context the call is metered in.</summary>
    public LlmCallContext Meter { get; }

    /// <inheritdoc/>
    public override ChatOptions Clone() => new MeteredChatOptions(this);
}
