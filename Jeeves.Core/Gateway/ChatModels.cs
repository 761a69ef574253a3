namespace Jeeves.Gateway;

/// <summary>
/// Represents a message a user sends to a capability (<c>MessageSend</c>).
/// </summary>
/// <param name="UserId">The user; must not be empty.</param>
/// <param name="Message">The message; must not be empty.</param>
/// <param name="SessionId">The session to continue, or <see langword="null"/> or empty to start a new one.</param>
/// <param name="Mode">The capability mode, which selects the pipeline, or <see langword="null"/> for the default pipeline.</param>
/// <param name="RepoPath">A repository path the capability may use, or <see langword="null"/>.</param>
public sealed record ChatRequest(string UserId, string Message, string? SessionId = null, string? Mode = null, string? RepoPath = null);

/// <summary>
/// Represents the gateway's reply to a chat message (<c>MessageResponse</c>).
/// </summary>
/// <param name="RequestId">The request id.</param>
/// <param name="SessionId">The session id.</param>
/// <param name="Status"><c>completed</c>, <c>clarification</c>, <c>confirmation</c> or <c>error</c>.</param>
/// <param name="Response">The answer, or why the run ended early, or <see langword="null"/>.</param>
/// <param name="ClarificationNeeded">Whether the run waits for a clarification.</param>
/// <param name="ClarificationQuestion">The question to answer, or <see langword="null"/>.</param>
/// <param name="ConfirmationMessage">What to confirm, or <see langword="null"/>.</param>
/// <param name="ConfirmationId">The interrupt to answer to confirm, or <see langword="null"/>.</param>
/// <param name="FilesExamined">Files the capability examined, or <see langword="null"/>.</param>
/// <param name="Citations">Citations in the answer, or <see langword="null"/>.</param>
/// <param name="ThreadId">The interrupt to answer when the run waits for a clarification, or <see langword="null"/>.</param>
public sealed record ChatReply(
    string RequestId,
    string SessionId,
    string Status,
    string? Response,
    bool ClarificationNeeded = false,
    string? ClarificationQuestion = null,
    string? ConfirmationMessage = null,
    string? ConfirmationId = null,
    IReadOnlyList<string>? FilesExamined = null,
    IReadOnlyList<string>? Citations = null,
    string? ThreadId = null);

/// <summary>
/// Represents a chat run, ready to start, whose events are streamed to the client.
/// </summary>
/// <param name="SessionId">The session the run belongs to (new when none was given).</param>
/// <param name="RequestId">The request id.</param>
/// <param name="Events">The run's events as server-sent events; the last one is terminal. Enumerate once; leaving early cancels the run.</param>
public sealed record ChatRun(string SessionId, string RequestId, IAsyncEnumerable<ServerSentEvent> Events);

/// <summary>
/// Configures which pipeline serves chat messages.
/// </summary>
public sealed class ChatServiceOptions
{
    /// <summary>Gets or sets the pipeline that serves messages without a mode.</summary>
    /// <value>The default value is <c>onboarding_chatbot</c>, the HelloWorld example's pipeline.</value>
    public string DefaultPipeline { get; set; } = "onboarding_chatbot";

    /// <summary>Gets the pipeline of each mode a message may name.</summary>
    public IDictionary<string, string> Modes { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets how many earlier messages of the session a run receives as <c>conversation_history</c>.</summary>
    /// <value>The default value is 20.</value>
    public int HistoryLength { get; set; } = 20;
}
