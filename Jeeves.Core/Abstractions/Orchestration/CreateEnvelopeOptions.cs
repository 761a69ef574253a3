namespace Jeeves;

/// <summary>
/// Represents the optional settings of a new envelope. Empty values take the defaults.
/// </summary>
public sealed record CreateEnvelopeOptions
{
    /// <summary>Gets the user's input.</summary>
    public string? RawInput { get; init; }

    /// <summary>Gets the request id, or <see langword="null"/> for <c>req_</c> + 16 hex digits.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the user id, or <see langword="null"/> for <c>anonymous</c>.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the session id, or <see langword="null"/> for <c>sess_</c> + 16 hex digits.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the stage order; when given, the first stage becomes the current stage.</summary>
    public IReadOnlyList<string>? StageOrder { get; init; }
}
