using System.Text.Json.Nodes;

namespace Jeeves.Runtime;

/// <summary>A request to run one of the registered pipelines on some input.</summary>
public sealed record RunRequest
{
    /// <summary>Gets the name of the pipeline to run (as registered by a capability).</summary>
    public required string Pipeline { get; init; }

    /// <summary>Gets the user's input: the envelope's <c>raw_input</c>.</summary>
    public required string Input { get; init; }

    /// <summary>Gets the user the run is for; <c>anonymous</c> when not set.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the session the run belongs to; a new one when not set.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the request id; a new one when not set.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the kernel process id to use; a new one when not set.</summary>
    public ProcessId? ProcessId { get; init; }

    /// <summary>
    /// Gets values the run starts with (for example <c>conversation_history</c>). Agents and hooks see them in
    /// <see cref="AgentContext.State"/>, and prompt templates can name them.
    /// </summary>
    public JsonObject? State { get; init; }

    /// <summary>Gets a value indicating whether an existing session for <see cref="ProcessId"/> is replaced.</summary>
    public bool Force { get; init; }
}
