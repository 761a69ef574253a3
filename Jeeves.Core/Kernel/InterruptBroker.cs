using System.Text.Json.Nodes;

namespace Jeeves.Kernel;

/// <summary>
/// The interrupt store with its request and session indexes (§8). It knows nothing of processes: the kernel
/// facade links an interrupt to the process it pauses.
/// </summary>
/// <remarks>
/// Expiry is applied lazily: every read or write of an interrupt first expires it when its kind auto-expires and
/// its time to live has passed, so no caller ever sees a stale <see cref="InterruptStatus.Pending"/>.
/// </remarks>
internal sealed class InterruptBroker
{
    private readonly Dictionary<string, InterruptRecord> _store = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _byRequest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _bySession = new(StringComparer.Ordinal);
    private readonly KindSettings[] _kinds;

    public InterruptBroker(InterruptOptions options)
    {
        _kinds = new KindSettings[Enum.GetValues<InterruptKind>().Length];
        for (int i = 0; i < _kinds.Length; i++)
        {
            InterruptKindOptions o = options[(InterruptKind)i];
            _kinds[i] = new KindSettings(o.TimeToLive, o.AutoExpire, o.RequireResponse, o.OnExpired, o.OnCancelled);
        }
    }

    public int Count => _store.Count;

    public int IndexKeyCount => _byRequest.Count + _bySession.Count;

    public KindSettings SettingsOf(InterruptKind kind) => _kinds[(int)kind];

    public InterruptRecord Create(CreateInterruptRequest request, DateTimeOffset now)
    {
        KindSettings settings = SettingsOf(request.Kind);
        string id;
        do
        {
            id = RandomIds.NewHexId("int_", 16);
        }
        while (_store.ContainsKey(id));

        var record = new InterruptRecord
        {
            Id = id,
            Kind = request.Kind,
            Status = InterruptStatus.Pending,
            RequestId = request.RequestId ?? string.Empty,
            UserId = request.UserId ?? string.Empty,
            SessionId = request.SessionId ?? string.Empty,
            EnvelopeId = request.EnvelopeId ?? string.Empty,
            ProcessId = request.ProcessId,
            Question = request.Question,
            Message = request.Message,
            Data = (JsonObject?)request.Data?.DeepClone() ?? [],
            CreatedAt = now,
            ExpiresAt = now + settings.TimeToLive,
            TraceId = request.TraceId,
            SpanId = request.SpanId,
        };

        _store.Add(id, record);
        Index(_byRequest, record.RequestId, id);
        Index(_bySession, record.SessionId, id);
        return record;
    }

    /// <summary>Gets an interrupt, expiring it first when due; <paramref name="expired"/> is set when this call expired it.</summary>
    public InterruptRecord? Get(string id, DateTimeOffset now, out bool expired)
    {
        expired = false;
        if (!_store.TryGetValue(id, out InterruptRecord? record))
        {
            return null;
        }

        expired = ExpireIfDue(record, now);
        return record;
    }

    /// <summary>Resolves a pending interrupt as its owner.</summary>
    /// <returns><see langword="true"/> when resolved; otherwise nothing changed.</returns>
    /// <exception cref="KernelException">The kind requires an answer and the response has none.</exception>
    public bool TryResolve(InterruptRecord record, InterruptResponse response, string? userId, DateTimeOffset now)
    {
        if (record.Status != InterruptStatus.Pending || (userId is not null && !string.Equals(userId, record.UserId, StringComparison.Ordinal)))
        {
            return false;
        }

        if (SettingsOf(record.Kind).RequireResponse && !response.HasContent)
        {
            throw KernelErrors.Validation(
                $"Invalid response: a {WireNames.ToWire(record.Kind)} interrupt needs text, approved, decision or data");
        }

        record.Response = response with { ReceivedAt = now };
        record.Status = InterruptStatus.Resolved;
        record.ResolvedAt = now;
        record.ClosedAt = now;
        return true;
    }

    public static bool TryCancel(InterruptRecord record, string reason, DateTimeOffset now)
    {
        if (record.Status != InterruptStatus.Pending)
        {
            return false;
        }

        record.Status = InterruptStatus.Cancelled;
        (record.Data ??= [])["cancel_reason"] = reason;
        record.ClosedAt = now;
        return true;
    }

    /// <summary>Expires every pending interrupt that is due.</summary>
    public List<InterruptRecord> ExpireDue(DateTimeOffset now)
    {
        var expired = new List<InterruptRecord>();
        foreach (InterruptRecord record in _store.Values)
        {
            if (ExpireIfDue(record, now))
            {
                expired.Add(record);
            }
        }

        return expired;
    }

    /// <summary>Lists a session's pending interrupts in creation order. Due interrupts are not expired here, only skipped.</summary>
    public List<InterruptRecord> PendingForSession(string sessionId, IReadOnlyCollection<InterruptKind>? kinds, DateTimeOffset now)
    {
        var result = new List<InterruptRecord>();
        if (_bySession.TryGetValue(sessionId, out List<string>? ids))
        {
            foreach (string id in ids)
            {
                InterruptRecord r = _store[id];
                if (IsLivePending(r, now) && (kinds is null || kinds.Contains(r.Kind)))
                {
                    result.Add(r);
                }
            }
        }

        return result;
    }

    /// <summary>Gets the newest pending interrupt of a request.</summary>
    public InterruptRecord? PendingForRequest(string requestId, DateTimeOffset now)
    {
        if (_byRequest.TryGetValue(requestId, out List<string>? ids))
        {
            for (int i = ids.Count - 1; i >= 0; i--)
            {
                InterruptRecord r = _store[ids[i]];
                if (IsLivePending(r, now))
                {
                    return r;
                }
            }
        }

        return null;
    }

    public int PendingCount()
    {
        int n = 0;
        foreach (InterruptRecord r in _store.Values)
        {
            if (r.Status == InterruptStatus.Pending)
            {
                n++;
            }
        }

        return n;
    }

    public Dictionary<InterruptStatus, int> Stats()
    {
        var stats = Enum.GetValues<InterruptStatus>().ToDictionary(s => s, _ => 0);
        foreach (InterruptRecord r in _store.Values)
        {
            stats[r.Status]++;
        }

        return stats;
    }

    /// <summary>Removes interrupts that closed (by any route) before <paramref name="cutoff"/>. Pending interrupts are never removed.</summary>
    public int CleanupClosed(DateTimeOffset cutoff)
    {
        List<InterruptRecord> old = _store.Values.Where(r => r.Status != InterruptStatus.Pending && r.ClosedAt < cutoff).ToList();
        foreach (InterruptRecord r in old)
        {
            _store.Remove(r.Id);
            Unindex(_byRequest, r.RequestId, r.Id);
            Unindex(_bySession, r.SessionId, r.Id);
        }

        if (_store.Count == 0)
        {
            _store.TrimExcess();
        }

        return old.Count;
    }

    private static bool IsLivePending(InterruptRecord r, DateTimeOffset now) =>
        r.Status == InterruptStatus.Pending && !r.IsPastExpiry(now);

    private bool ExpireIfDue(InterruptRecord record, DateTimeOffset now)
    {
        if (record.Status != InterruptStatus.Pending || !SettingsOf(record.Kind).AutoExpire || !record.IsPastExpiry(now))
        {
            return false;
        }

        record.Status = InterruptStatus.Expired;
        record.ClosedAt = now;
        return true;
    }

    private static void Index(Dictionary<string, List<string>> index, string key, string id)
    {
        if (!index.TryGetValue(key, out List<string>? ids))
        {
            index[key] = ids = [];
        }

        ids.Add(id);
    }

    private static void Unindex(Dictionary<string, List<string>> index, string key, string id)
    {
        if (index.TryGetValue(key, out List<string>? ids) && ids.Remove(id) && ids.Count == 0)
        {
            index.Remove(key);
        }
    }

    internal readonly record struct KindSettings(
        TimeSpan? TimeToLive, bool AutoExpire, bool RequireResponse, InterruptEndAction OnExpired, InterruptEndAction OnCancelled);
}
