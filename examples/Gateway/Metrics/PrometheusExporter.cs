using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Jeeves.Examples.Gateway.Metrics;

/// <summary>
/// Collects every <see cref="Meter"/> whose name starts with <c>Jeeves</c> through a <see cref="MeterListener"/> and writes
/// them in the Prometheus text exposition format (version 0.0.4).
/// </summary>
/// <remarks>
/// Names follow the OpenTelemetry-to-Prometheus rules: dots become underscores, the unit is appended (<c>s</c> →
/// <c>_seconds</c>, <c>ms</c> → <c>_milliseconds</c>, <c>By</c> → <c>_bytes</c>; annotations such as <c>{request}</c>
/// add nothing), and counters end in <c>_total</c>. So <c>jeeves.http.requests</c> is scraped as
/// <c>jeeves_http_requests_total</c>. Series with the same name and labels from several meters (several kernels in one
/// process) are added together.
/// </remarks>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>The content type of a scrape.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] s_secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] s_defaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly Lock _scrapeGate = new();

    /// <summary>Initializes a new instance of the <see cref="PrometheusExporter"/> class and starts listening.</summary>
    public PrometheusExporter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Jeeves", StringComparison.Ordinal))
            {
                _instruments.TryAdd(instrument, new InstrumentState(instrument));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentState? _);
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<short>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<byte>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, v, tags, _) => Record(i, (double)v, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and writes every series.</summary>
    /// <returns>The exposition text.</returns>
    public string Scrape()
    {
        lock (_scrapeGate)
        {
            foreach (InstrumentState state in _instruments.Values)
            {
                state.BeginObservation();
            }

            _listener.RecordObservableInstruments();
            var families = new SortedDictionary<string, List<InstrumentState>>(StringComparer.Ordinal);
            foreach (InstrumentState state in _instruments.Values)
            {
                if (!families.TryGetValue(state.Name, out List<InstrumentState>? list))
                {
                    families[state.Name] = list = [];
                }

                list.Add(state);
            }

            var text = new StringBuilder();
            foreach ((string name, List<InstrumentState> states) in families)
            {
                InstrumentState first = states[0];
                if (!string.IsNullOrEmpty(first.Description))
                {
                    text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(first.Description)).Append('\n');
                }

                text.Append("# TYPE ").Append(name).Append(' ').Append(first.PrometheusType).Append('\n');
                InstrumentState.WriteSeries(text, name, states);
            }

            return text.ToString();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_instruments.TryGetValue(instrument, out InstrumentState? state))
        {
            state.Record(value, tags);
        }
    }

    internal static string MetricName(Instrument instrument)
    {
        var name = new StringBuilder(instrument.Name.Length + 16);
        foreach (char c in instrument.Name.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }

        string unit = instrument.Unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            _ => string.Empty,
        };
        if (unit.Length > 0 && !name.ToString().EndsWith(unit, StringComparison.Ordinal))
        {
            name.Append(unit);
        }

        bool monotonic = instrument.GetType().IsGenericType &&
            instrument.GetType().GetGenericTypeDefinition() is Type t && (t == typeof(Counter<>) || t == typeof(ObservableCounter<>));
        if (monotonic && !name.ToString().EndsWith("_total", StringComparison.Ordinal))
        {
            name.Append("_total");
        }

        return name.ToString();
    }

    private static string EscapeHelp(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string EscapeLabel(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The aggregated series of one instrument.</summary>
    private sealed class InstrumentState
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly Kind _kind;
        private readonly double[] _buckets;
        private readonly bool _observable;

        public InstrumentState(Instrument instrument)
        {
            Name = MetricName(instrument);
            _observable = instrument.IsObservable;
            Description = instrument.Description;
            Type definition = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : instrument.GetType();
            _kind = definition == typeof(Counter<>) ? Kind.Sum
                : definition == typeof(UpDownCounter<>) ? Kind.Sum
                : definition == typeof(Histogram<>) ? Kind.Histogram
                : Kind.LastValue; // observable instruments report their current (cumulative) value; gauges their last
            PrometheusType = definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>) ? "counter"
                : _kind == Kind.Histogram ? "histogram" : "gauge";
            _buckets = _kind == Kind.Histogram ? BucketsOf(instrument) : [];
        }

        private enum Kind
        {
            Sum,
            LastValue,
            Histogram,
        }

        public string Name { get; }

        public string? Description { get; }

        public string PrometheusType { get; }

        public bool IsObservable => _observable;

        public void BeginObservation()
        {
            if (IsObservable)
            {
                lock (_gate)
                {
                    foreach (Series s in _series.Values)
                    {
                        s.Observed = false;
                    }
                }
            }
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string labels = Labels(tags);
            lock (_gate)
            {
                if (!_series.TryGetValue(labels, out Series? series))
                {
                    _series[labels] = series = new Series(_buckets.Length);
                }

                switch (_kind)
                {
                    case Kind.Sum:
                        series.Value += value;
                        break;
                    case Kind.LastValue:
                        series.Value = value;
                        series.Observed = true;
                        break;
                    default:
                        series.Value += value;
                        series.Count++;
                        int bucket = Array.FindIndex(_buckets, b => value <= b);
                        if (bucket >= 0)
                        {
                            series.Buckets[bucket]++;
                        }

                        break;
                }
            }
        }

        public static void WriteSeries(StringBuilder text, string name, List<InstrumentState> states)
        {
            // Merge equal label sets across meters that export the same name.
            var merged = new SortedDictionary<string, (Series Series, InstrumentState Owner)>(StringComparer.Ordinal);
            foreach (InstrumentState state in states)
            {
                lock (state._gate)
                {
                    foreach ((string labels, Series s) in state._series)
                    {
                        if (state.IsObservable && !s.Observed)
                        {
                            continue;
                        }

                        if (merged.TryGetValue(labels, out var existing) && existing.Owner._buckets.SequenceEqual(state._buckets))
                        {
                            existing.Series.Add(s);
                        }
                        else if (!merged.ContainsKey(labels))
                        {
                            merged[labels] = (s.Copy(), state);
                        }
                    }
                }
            }

            foreach ((string labels, (Series s, InstrumentState owner)) in merged)
            {
                if (owner._kind != Kind.Histogram)
                {
                    text.Append(name).Append(Braces(labels)).Append(' ').Append(Format(s.Value)).Append('\n');
                    continue;
                }

                long cumulative = 0;
                for (int i = 0; i < owner._buckets.Length; i++)
                {
                    cumulative += s.Buckets[i];
                    text.Append(name).Append("_bucket").Append(Braces(Join(labels, $"le=\"{Format(owner._buckets[i])}\""))).Append(' ').Append(cumulative).Append('\n');
                }

                text.Append(name).Append("_bucket").Append(Braces(Join(labels, "le=\"+Inf\""))).Append(' ').Append(s.Count).Append('\n');
                text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Format(s.Value)).Append('\n');
                text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(s.Count).Append('\n');
            }
        }

        private static double[] BucketsOf(Instrument instrument)
        {
            IReadOnlyList<double>? advised = instrument switch
            {
                Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
                Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
                Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
                Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b).ToArray(),
                _ => null,
            };
            return advised is { Count: > 0 } ? [.. advised] : instrument.Unit == "s" ? s_secondsBuckets : s_defaultBuckets;
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return string.Empty;
            }

            var pairs = new List<string>(tags.Length);
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                var key = new StringBuilder(tag.Key.Length);
                foreach (char c in tag.Key)
                {
                    key.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
                }

                string value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty;
                pairs.Add($"{key}=\"{EscapeLabel(value)}\"");
            }

            pairs.Sort(StringComparer.Ordinal);
            return string.Join(',', pairs);
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Braces(string labels) => labels.Length == 0 ? string.Empty : "{" + labels + "}";
    }

    private sealed class Series(int buckets)
    {
        public double Value { get; set; }

        public long Count { get; set; }

        public long[] Buckets { get; } = new long[buckets];

        public bool Observed { get; set; }

        public Series Copy()
        {
            var copy = new Series(Buckets.Length) { Value = Value, Count = Count, Observed = Observed };
            Buckets.CopyTo(copy.Buckets, 0);
            return copy;
        }

        public void Add(Series other)
        {
            Value += other.Value;
            Count += other.Count;
            for (int i = 0; i < Buckets.Length; i++)
            {
                Buckets[i] += other.Buckets[i];
            }
        }
    }
}
