namespace Jeeves.Gateway;

/// <summary>
/// Keeps chat sessions and messages in memory. Everything is lost when the process ends.
/// </summary>
/// <remarks>
/// Thread-safe: every operation runs under one lock and never waits inside it. Snapshots handed out are immutable
/// records, so they never change under their reader.
/// </remarks>
public sealed class InMemorySessionStore : ISessionStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private long _sequence;

    /// <summary>Initializes a new instance of the <see cref="InMemorySessionStore"/> class.</summary>
    /// <param name="timeProvider">The clock for timestamps; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public InMemorySessionStore(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public Task<ChatSession> CreateSessionAsync(string userId, string? title, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        cancellationToken.ThrowIfCancellationRequested();
        string id = RandomIds.NewGuid().ToString("D");
        var session = new ChatSession(id, userId, string.IsNullOrEmpty(title) ? null : title, 0, ChatSession.ActiveStatus, _timeProvider.GetUtcNow(), null);
        lock (_gate)
        {
            _sessions.Add(id, new Entry(session, ++_sequence));
        }

        return Task.FromResult(session);
    }

    /// <inheritdoc/>
    public Task<SessionPage> ListSessionsAsync(string userId, int limit, int offset, bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, ISessionStore.MaxSessionPageSize);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        List<Entry> matching;
        lock (_gate)
        {
            matching = [.. _sessions.Values.Where(e => e.Session.UserId == userId && (includeDeleted || !e.IsDeleted))];
        }

        // Most recently active first; a session without messages counts from its creation. The creation sequence
        // breaks ties, so equal timestamps (a fake clock, a coarse one) still give one stable order for paging.
        ChatSession[] page = [.. matching
            .OrderByDescending(e => e.Session.LastActivityAt ?? e.Session.CreatedAt)
            .ThenByDescending(e => e.ActivitySequence)
            .Skip(offset)
            .Take(limit)
            .Select(e => e.Session)];
        return Task.FromResult(new SessionPage(page, matching.Count));
    }

    /// <inheritdoc/>
    public Task<ChatSession?> GetSessionAsync(string sessionId, string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(userId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Find(sessionId, userId)?.Session);
        }
    }

    /// <inheritdoc/>
    public Task<SessionMessagePage?> GetMessagesAsync(string sessionId, string userId, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, ISessionStore.MaxMessagePageSize);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Entry? entry = Find(sessionId, userId);
            if (entry is null)
            {
                return Task.FromResult<SessionMessagePage?>(null);
            }

            SessionMessage[] page = [.. entry.Messages.Skip(offset).Take(limit)];
            return Task.FromResult<SessionMessagePage?>(new SessionMessagePage(page, entry.Messages.Count));
        }
    }

    /// <inheritdoc/>
    public Task<SessionMessage?> AppendMessageAsync(string sessionId, string userId, string role, string content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentException.ThrowIfNullOrEmpty(role);
        ArgumentNullException.ThrowIfNull(content);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Entry? entry = Find(sessionId, userId);
            if (entry is null)
            {
                return Task.FromResult<SessionMessage?>(null);
            }

            DateTimeOffset now = _timeProvider.GetUtcNow();
            var message = new SessionMessage($"msg_{++_sequence:x16}", sessionId, role, content, now);
            entry.Messages.Add(message);
            entry.ActivitySequence = _sequence;
            entry.Session = entry.Session with { MessageCount = entry.Messages.Count, LastActivityAt = now };
            return Task.FromResult<SessionMessage?>(message);
        }
    }

    /// <inheritdoc/>
    public Task<bool> DeleteSessionAsync(string sessionId, string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(userId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Entry? entry = Find(sessionId, userId);
            if (entry is null)
            {
                return Task.FromResult(false);
            }

            entry.Session = entry.Session with { Status = ChatSession.DeletedStatus };
            return Task.FromResult(true);
        }
    }

    // Callers hold _gate.
    private Entry? Find(string sessionId, string userId) =>
        _sessions.TryGetValue(sessionId, out Entry? entry) && entry.Session.UserId == userId && !entry.IsDeleted ? entry : null;

    private sealed class Entry(ChatSession session, long sequence)
    {
        public ChatSession Session { get; set; } = session;

        public long ActivitySequence { get; set; } = sequence;

        public List<SessionMessage> Messages { get; } = [];

        public bool IsDeleted => Session.Status == ChatSession.DeletedStatus;
    }
}
