namespace Jeeves.Gateway;

/// <summary>
/// Represents a snapshot of a chat session: a conversation between one user and a capability.
/// </summary>
/// <param name="SessionId">The session id.</param>
/// <param name="UserId">The user who owns the session.</param>
/// <param name="Title">The title, or <see langword="null"/> when none was given.</param>
/// <param name="MessageCount">How many messages the session holds.</param>
/// <param name="Status"><c>active</c> or <c>deleted</c>.</param>
/// <param name="CreatedAt">When the session was created.</param>
/// <param name="LastActivityAt">When the last message was added, or <see langword="null"/> before the first one.</param>
public sealed record ChatSession(
    string SessionId,
    string UserId,
    string? Title,
    int MessageCount,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastActivityAt)
{
    /// <summary>The status of a session that can be used.</summary>
    public const string ActiveStatus = "active";

    /// <summary>The status of a session its owner deleted; it is listed only on request.</summary>
    public const string DeletedStatus = "deleted";
}

/// <summary>
/// Represents one message of a chat session.
/// </summary>
/// <param name="MessageId">The message id.</param>
/// <param name="SessionId">The session the message belongs to.</param>
/// <param name="Role">Who wrote it: <c>user</c> or <c>assistant</c>.</param>
/// <param name="Content">The text.</param>
/// <param name="CreatedAt">When the message was added.</param>
public sealed record SessionMessage(string MessageId, string SessionId, string Role, string Content, DateTimeOffset CreatedAt)
{
    /// <summary>The role of a message the user wrote.</summary>
    public const string UserRole = "user";

    /// <summary>The role of a message the capability answered.</summary>
    public const string AssistantRole = "assistant";
}

/// <summary>
/// Represents one page of a user's sessions.
/// </summary>
/// <param name="Sessions">The sessions on this page, most recently active first.</param>
/// <param name="Total">How many sessions match, on every page together.</param>
public sealed record SessionPage(IReadOnlyList<ChatSession> Sessions, int Total);

/// <summary>
/// Represents one page of a session's messages.
/// </summary>
/// <param name="Messages">The messages on this page, oldest first.</param>
/// <param name="Total">How many messages the session holds.</param>
public sealed record SessionMessagePage(IReadOnlyList<SessionMessage> Messages, int Total);
