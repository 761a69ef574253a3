using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Jeeves.Kernel;

/// <summary>
/// The per-user rate limiter: an exact sliding log over three windows (hour, minute, 10-second burst), checked in
/// that order. A timestamp exactly at a window's edge still counts. Refused requests are not recorded.
/// </summary>
/// <remarks>
/// A log holds at most its limit's worth of timestamps, so a window whose limit is <see cref="int.MaxValue"/> (no limit)
/// keeps none: it could never refuse, and its log would grow with every request of the last hour (tens of megabytes at
/// a few thousand requests a second). Such a window counts zero.
/// </remarks>
internal sealed class RateLimiter
{
    private static readonly long s_hour = TimeSpan.FromHours(1).Ticks;
    private static readonly long s_minute = TimeSpan.FromMinutes(1).Ticks;
    private static readonly long s_burst = TimeSpan.FromSeconds(10).Ticks;

    /// <summary>The limit that means none: its window keeps no log.</summary>
    private const int Unlimited = int.MaxValue;

    private readonly Dictionary<UserId, UserWindows> _users = [];
    private readonly int _perHour;
    private readonly int _perMinute;
    private readonly int _burst;

    public RateLimiter(RateLimitOptions options)
    {
        _perHour = options.RequestsPerHour;
        _perMinute = options.RequestsPerMinute;
        _burst = options.BurstSize;
    }

    /// <summary>Gets the number of users with a window.</summary>
    public int Count => _users.Count;

    /// <summary>Checks a request and, when <paramref name="record"/> is set and it is admitted, records it.</summary>
    public RateLimitDecision Check(UserId user, DateTimeOffset now, bool record)
    {
        if (Evaluate(user, now.UtcTicks, record, out UserWindows w) is { } refusal)
        {
            return refusal;
        }

        return new RateLimitDecision
        {
            Allowed = true,
            CurrentCount = w.Minute.Count,
            Limit = _perMinute,
            Remaining = Math.Min(_perHour - w.Hour.Count, Math.Min(_perMinute - w.Minute.Count, _burst - w.Burst.Count)),
        };
    }

    /// <summary>Checks and records a request, as <see cref="Check"/> does, building a decision only for a refusal.</summary>
    /// <returns><see langword="true"/> when the request was admitted (and recorded).</returns>
    public bool TryAcquire(UserId user, DateTimeOffset now, [NotNullWhen(false)] out RateLimitDecision? refusal)
    {
        refusal = Evaluate(user, now.UtcTicks, record: true, out _);
        return refusal is null;
    }

    /// <summary>Returns the refusal, or <see langword="null"/> when the request is admitted (and then recorded if asked).</summary>
    private RateLimitDecision? Evaluate(UserId user, long t, bool record, out UserWindows w)
    {
        if (!_users.TryGetValue(user, out UserWindows? windows))
        {
            windows = new UserWindows();
            if (record)
            {
                _users.Add(user, windows);
            }
        }

        w = windows;
        w.Prune(t);
        RateLimitWindow? refusing =
            w.Hour.Count >= _perHour ? RateLimitWindow.Hour :
            w.Minute.Count >= _perMinute ? RateLimitWindow.Minute :
            w.Burst.Count >= _burst ? RateLimitWindow.Burst :
            null;

        if (refusing is { } window)
        {
            if (record && w.Hour.Count == 0 && w.Minute.Count == 0 && w.Burst.Count == 0)
            {
                // A limit of 0 refused a first request: keep no empty window for it.
                _users.Remove(user);
            }

            return new RateLimitDecision
            {
                Allowed = false,
                LimitType = window,
                Reason = "quota exceeded: " + Message(window),
                CurrentCount = w.Minute.Count,
                Limit = LimitOf(window),
                Remaining = 0,
                RetryAfter = RetryAfter(w, t),
            };
        }

        if (record)
        {
            w.LastAdmitted = t;
            Log(w.Hour, _perHour, t);
            Log(w.Minute, _perMinute, t);
            Log(w.Burst, _burst, t);
        }

        return null;

        static void Log(Queue<long> window, int limit, long t)
        {
            if (limit != Unlimited)
            {
                window.Enqueue(t);
            }
        }
    }

    /// <summary>Gets the number of admitted requests in the last 60 seconds, inclusive; 0 for an unknown user.</summary>
    public int GetCurrentRate(UserId user, DateTimeOffset now)
    {
        if (!_users.TryGetValue(user, out UserWindows? w))
        {
            return 0;
        }

        w.Prune(now.UtcTicks);
        return w.Minute.Count;
    }

    public bool Clear(UserId user) => _users.Remove(user);

    /// <summary>Drops the windows of users with no request in the last hour, so no later decision changes.</summary>
    /// <returns>The number of windows dropped.</returns>
    public int CleanupIdle(DateTimeOffset now)
    {
        long t = now.UtcTicks;
        List<UserId>? idle = null;
        foreach ((UserId user, UserWindows w) in _users)
        {
            w.Prune(t);
            if (w.LastAdmitted < t - s_hour)
            {
                (idle ??= []).Add(user);
            }
        }

        if (idle is null)
        {
            return 0;
        }

        foreach (UserId user in idle)
        {
            _users.Remove(user);
        }

        if (_users.Count == 0)
        {
            _users.TrimExcess();
        }

        return idle.Count;
    }

    private string Message(RateLimitWindow window) => window switch
    {
        RateLimitWindow.Hour => string.Create(CultureInfo.InvariantCulture, $"Rate limit exceeded: {_perHour} requests per hour"),
        RateLimitWindow.Minute => string.Create(CultureInfo.InvariantCulture, $"Rate limit exceeded: {_perMinute} requests per minute"),
        _ => string.Create(CultureInfo.InvariantCulture, $"Burst limit exceeded: {_burst} requests per 10 seconds"),
    };

    private int LimitOf(RateLimitWindow window) => window switch
    {
        RateLimitWindow.Hour => _perHour,
        RateLimitWindow.Minute => _perMinute,
        _ => _burst,
    };

    /// <summary>The time until every full window has room again, or <see cref="TimeSpan.MaxValue"/> when a limit is 0.</summary>
    private TimeSpan RetryAfter(UserWindows w, long now)
    {
        long wait = 0;
        foreach ((Queue<long> queue, int limit, long length) in ((Queue<long>, int, long)[])[(w.Hour, _perHour, s_hour), (w.Minute, _perMinute, s_minute), (w.Burst, _burst, s_burst)])
        {
            if (queue.Count < limit)
            {
                continue;
            }

            if (limit == 0)
            {
                return TimeSpan.MaxValue;
            }

            // The (count - limit + 1) oldest entries must leave; the last of them leaves one tick after its edge.
            long leaving = queue.ElementAt(queue.Count - limit);
            wait = Math.Max(wait, leaving + length + 1 - now);
        }

        return TimeSpan.FromTicks(Math.Max(wait, 0));
    }

    private sealed class UserWindows
    {
        /// <summary>Gets or sets when the last admitted request came (ticks), whether or not a window logs it.</summary>
        public long LastAdmitted { get; set; } = long.MinValue;

        public Queue<long> Hour { get; } = new();

        public Queue<long> Minute { get; } = new();

        public Queue<long> Burst { get; } = new();

        public void Prune(long now)
        {
            Drop(Hour, now - s_hour);
            Drop(Minute, now - s_minute);
            Drop(Burst, now - s_burst);

            static void Drop(Queue<long> queue, long cutoff)
            {
                while (queue.TryPeek(out long ts) && ts < cutoff)
                {
                    queue.Dequeue();
                }
            }
        }
    }
}
