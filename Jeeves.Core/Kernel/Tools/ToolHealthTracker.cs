using System.Globalization;

namespace Jeeves.Kernel.Tools;

/// <summary>
/// Per-tool sliding windows of executions (§10.5): grades health, opens circuits and groups errors. Time comes
/// from the injected <see cref="TimeProvider"/>'s monotonic timestamps.
/// </summary>
/// <remarks>
/// Each tool keeps a ring of its last <c>WindowSize</c> executions with running success and latency sums, so
/// recording is O(1) and allocation-free. <c>RecentErrors</c> and <c>CircuitBroken</c> are computed the same way
/// in every report (the reference's Q17 inconsistency is fixed): failures no older than the circuit window,
/// compared to the threshold, whatever the number of calls.
/// </remarks>
internal sealed class ToolHealthTracker
{
    private readonly Dictionary<string, ToolWindow> _tools = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly double _rateHealthy;
    private readonly double _rateDegraded;
    private readonly double _latencyHealthyMs;
    private readonly double _latencyDegradedMs;
    private readonly int _minCalls;
    private readonly int _threshold;
    private readonly TimeSpan _circuitWindow;
    private readonly int _windowSize;

    public ToolHealthTracker(ToolHealthOptions options, TimeProvider timeProvider)
    {
        _time = timeProvider;
        _rateHealthy = options.SuccessRateHealthy;
        _rateDegraded = options.SuccessRateDegraded;
        _latencyHealthyMs = options.LatencyHealthy.TotalMilliseconds;
        _latencyDegradedMs = options.LatencyDegraded.TotalMilliseconds;
        _minCalls = options.MinCallsForAssessment;
        _threshold = options.CircuitBreakErrorThreshold;
        _circuitWindow = options.CircuitBreakWindow;
        _windowSize = options.WindowSize;
    }

    /// <summary>Gets the number of tools with recorded executions.</summary>
    public int ToolCount => _tools.Count;

    public IEnumerable<string> RecordedTools => _tools.Keys;

    public void Record(string toolName, bool success, long latencyMs, string? errorType)
    {
        if (!_tools.TryGetValue(toolName, out ToolWindow? window))
        {
            _tools[toolName] = window = new ToolWindow(_windowSize);
        }

        window.Add(new Execution(success, latencyMs, _time.GetTimestamp(), success ? null : errorType));
    }

    public bool ShouldCircuitBreak(string toolName) =>
        _tools.TryGetValue(toolName, out ToolWindow? window) && RecentErrors(window) >= _threshold;

    public ToolHealthReport Report(string toolName)
    {
        if (!_tools.TryGetValue(toolName, out ToolWindow? w) || w.Count == 0)
        {
            return new ToolHealthReport { ToolName = toolName, Status = HealthStatus.Unknown, Issues = ["No execution history"] };
        }

        double rate = (double)w.Successes / w.Count;
        double avg = (double)w.LatencySum / w.Count;
        int recent = RecentErrors(w);
        bool broken = recent >= _threshold;
        var issues = new List<string>(3);
        HealthStatus status;
        if (w.Count < _minCalls)
        {
            status = HealthStatus.Unknown;
            issues.Add(string.Create(CultureInfo.InvariantCulture, $"Insufficient data ({w.Count}/{_minCalls})"));
        }
        else
        {
            HealthStatus byRate = rate >= _rateHealthy ? HealthStatus.Healthy : rate >= _rateDegraded ? HealthStatus.Degraded : HealthStatus.Unhealthy;
            HealthStatus byLatency = avg <= _latencyHealthyMs ? HealthStatus.Healthy : avg <= _latencyDegradedMs ? HealthStatus.Degraded : HealthStatus.Unhealthy;
            status = (HealthStatus)Math.Max((int)byRate, (int)byLatency);
            if (rate < _rateHealthy)
            {
                issues.Add(string.Create(CultureInfo.InvariantCulture, $"Success rate {rate * 100:F1}% below {_rateHealthy * 100:F0}% threshold"));
            }

            if (avg > _latencyHealthyMs)
            {
                issues.Add(string.Create(CultureInfo.InvariantCulture, $"Avg latency {avg:F0}ms exceeds {_latencyHealthyMs:F0}ms threshold"));
            }
        }

        if (broken)
        {
            issues.Add(string.Create(CultureInfo.InvariantCulture, $"Circuit breaker open: {recent} errors in last {_circuitWindow.TotalSeconds:F0}s"));
        }

        return new ToolHealthReport
        {
            ToolName = toolName,
            Status = status,
            SuccessRate = rate,
            AvgLatencyMs = avg,
            TotalCalls = w.Count,
            RecentErrors = recent,
            Issues = issues,
            CircuitBroken = broken,
        };
    }

    /// <summary>Grades the union of <paramref name="registeredTools"/> and every tool with executions.</summary>
    public SystemToolHealth SystemHealth(IEnumerable<string> registeredTools)
    {
        var names = new SortedSet<string>(registeredTools, StringComparer.Ordinal);
        names.UnionWith(_tools.Keys);
        var reports = names.Select(Report).ToList();
        var summary = Enum.GetValues<HealthStatus>().ToDictionary(static s => s, _ => 0);
        foreach (ToolHealthReport r in reports)
        {
            summary[r.Status]++;
        }

        HealthStatus overall =
            summary[HealthStatus.Unhealthy] > 0 ? HealthStatus.Unhealthy :
            summary[HealthStatus.Degraded] > 0 ? HealthStatus.Degraded :
            summary[HealthStatus.Healthy] > 0 ? HealthStatus.Healthy :
            HealthStatus.Unknown;
        return new SystemToolHealth(overall, reports, summary);
    }

    /// <summary>Counts failures by error type, most frequent first, ties by type.</summary>
    public List<ToolErrorPattern> ErrorPatterns(string toolName)
    {
        if (!_tools.TryGetValue(toolName, out ToolWindow? w))
        {
            return [];
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Execution e in w.Executions())
        {
            if (!e.Success)
            {
                string type = e.ErrorType ?? "unknown";
                counts[type] = counts.GetValueOrDefault(type) + 1;
            }
        }

        return counts
            .OrderByDescending(static kv => kv.Value)
            .ThenBy(static kv => kv.Key, StringComparer.Ordinal)
            .Select(static kv => new ToolErrorPattern(kv.Key, kv.Value))
            .ToList();
    }

    private int RecentErrors(ToolWindow window)
    {
        // Failures at or after now - window; a timestamp clock younger than the window simply counts everything.
        long now = _time.GetTimestamp();
        // Integer arithmetic: a floating-point product can land one tick short and drop a failure on the edge.
        long span = (long)((Int128)_circuitWindow.Ticks * _time.TimestampFrequency / TimeSpan.TicksPerSecond);
        long cutoff = now - span;
        int recent = 0;
        foreach (Execution e in window.Executions())
        {
            if (!e.Success && e.Timestamp >= cutoff)
            {
                recent++;
            }
        }

        return recent;
    }

    private readonly record struct Execution(bool Success, long LatencyMs, long Timestamp, string? ErrorType);

    /// <summary>A ring of the last N executions with running sums.</summary>
    private sealed class ToolWindow(int capacity)
    {
        private readonly Execution[] _ring = new Execution[capacity];
        private int _start;

        public int Count { get; private set; }

        public int Successes { get; private set; }

        public long LatencySum { get; private set; }

        public void Add(Execution e)
        {
            if (Count == _ring.Length)
            {
                Execution oldest = _ring[_start];
                Successes -= oldest.Success ? 1 : 0;
                LatencySum -= oldest.LatencyMs;
                _ring[_start] = e;
                _start = (_start + 1) % _ring.Length;
            }
            else
            {
                _ring[(_start + Count) % _ring.Length] = e;
                Count++;
            }

            Successes += e.Success ? 1 : 0;
            LatencySum += e.LatencyMs;
        }

        public IEnumerable<Execution> Executions()
        {
            for (int i = 0; i < Count; i++)
            {
                yield return _ring[(_start + i) % _ring.Length];
            }
        }
    }
}
