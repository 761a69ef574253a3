namespace Jeeves.Gateway;

/// <summary>
/// Stores chat sessions and their messages, per user.
/// </summary>
/// <remarks>
/// Implementations are safe to call from many threads at once. A session belongs to the user who created it: every
/// read or change names that user, and a session owned by someone else behaves as if it did not exist, so one user can
/// never learn whether another user's session id is valid.
/// </remarks>
public interface ISessionStore
{
    /// <summary>The largest page of sessions <see cref="ListSessionsAsync"/> returns.</summary>
    public const int MaxSessionPageSize = 200;

    /// <summary>The largest page of messages <see cref="GetMessagesAsync"/> returns.</summary>
    public const int MaxMessagePageSize = 500;

    /// <summary>Creates an empty session.</summary>
    /// <param name="userId">The owner; must not be empty.</param>
    /// <param name="title">The title, or <see langword="null"/> or empty for none.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The new session.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty.</exception>
    Task<ChatSession> CreateSessionAsync(string userId, string? title, CancellationToken cancellationToken = default);

    /// <summary>Lists a user's sessions, most recently active first.</summary>
    /// <param name="userId">The owner.</param>
    /// <param name="limit">The page size, 1 to <see cref="MaxSessionPageSize"/>.</param>
    /// <param name="offset">How many sessions to skip; not negative.</param>
    /// <param name="includeDeleted"><see langword="true"/> to list deleted sessions too.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The page and the number of matching sessions.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> or <paramref name="offset"/> is out of range.</exception>
    Task<SessionPage> ListSessionsAsync(string userId, int limit, int offset, bool includeDeleted = false, CancellationToken cancellationToken = default);

    /// <summary>Gets one of a user's sessions.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="userId">The owner.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The session, or <see langword="null"/> when it does not exist, is deleted or belongs to another user.</returns>
    Task<ChatSession?> GetSessionAsync(string sessionId, string userId, CancellationToken cancellationToken = default);

    /// <summary>Lists a session's messages, oldest first.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="userId">The owner.</param>
    /// <param name="limit">The page size, 1 to <see cref="MaxMessagePageSize"/>.</param>
    /// <param name="offset">How many messages to skip; not negative.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The page, or <see langword="null"/> when the session does not exist, is deleted or belongs to another user.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> or <paramref name="offset"/> is out of range.</exception>
    Task<SessionMessagePage?> GetMessagesAsync(string sessionId, string userId, int limit, int offset, CancellationToken cancellationToken = default);

    /// <summary>Adds a message to one of a user's sessions.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="userId">The owner.</param>
    /// <param name="role">Who wrote it: <see cref="SessionMessage.UserRole"/> or <see cref="SessionMessage.AssistantRole"/>.</param>
    /// <param name="content">The text.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The message, or <see langword="null"/> when the session does not exist, is deleted or belongs to another user.</returns>
    Task<SessionMessage?> AppendMessageAsync(string sessionId, string userId, string role, string content, CancellationToken cancellationToken = default);

    /// <summary>Deletes one of a user's sessions. It is kept, marked deleted, and listed only on request.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="userId">The owner.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when deleted; <see langword="false"/> when it does not exist, was already deleted or belongs to another user.</returns>
    Task<bool> DeleteSessionAsync(string sessionId, string userId, CancellationToken cancellationToken = default);
}
