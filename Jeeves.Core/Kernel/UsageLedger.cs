namespace Jeeves.Kernel;

/// <summary>
/// Per-user usage totals (the reference's ResourceTracker), a billing index beside the per-process usage.
/// </summary>
internal sealed class UsageLedger
{
    private readonly Dictionary<UserId, ResourceUsage> _users = [];

    public int Count => _users.Count;

    /// <summary>Computes the user's new total without storing it, so a caller can check every sum before committing any.</summary>
    public ResourceUsage Preview(UserId user, UsageDelta delta) =>
        QuotaRules.Add(_users.GetValueOrDefault(user), delta);

    public void Store(UserId user, ResourceUsage total) => _users[user] = total;

    public ResourceUsage? Get(UserId user) => _users.TryGetValue(user, out ResourceUsage u) ? u : null;

    public bool Clear(UserId user) => _users.Remove(user);

    /// <summary>Drops users without live processes, then trims to <paramref name="maxEntries"/>.</summary>
    public int CleanupStaleUsers(HashSet<UserId> activeUsers, int maxEntries)
    {
        int before = _users.Count;
        foreach (UserId user in _users.Keys.ToList())
        {
            if (!activeUsers.Contains(user))
            {
                _users.Remove(user);
            }
        }

        // Every remaining user is active; trim the surplus in a stable order so the outcome is deterministic.
        if (_users.Count > maxEntries)
        {
            foreach (UserId user in _users.Keys.Order().Take(_users.Count - maxEntries).ToList())
            {
                _users.Remove(user);
            }
        }

        if (_users.Count == 0)
        {
            _users.TrimExcess();
        }

        return before - _users.Count;
    }
}
