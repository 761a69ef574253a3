using System.Diagnostics.Metrics;
using Jeeves.Examples.Gateway.Metrics;

namespace Jeeves.Tests.Gateway;

/// <summary>The MeterListener exporter: which meters it reads, how it names series and how it writes each kind.</summary>
[NonParallelizable]
public sealed class PrometheusExporterTests
{
    [Test]
    public void Scrape_JeevesMetersOnly_NamesUnitsTotalsAndHistogramBuckets()
    {
        // Arrange
        using var exporter = new PrometheusExporter();
        string suffix = Guid.NewGuid().ToString("N")[..8];
        using var meter = new Meter("Jeeves.Test." + suffix);
        using var foreign = new Meter("Other.Library." + suffix);
        Counter<long> requests = meter.CreateCounter<long>($"jeeves.t{suffix}.requests", "{request}", "Requests.");
        UpDownCounter<int> active = meter.CreateUpDownCounter<int>($"jeeves.t{suffix}.active", "{connection}");
        Histogram<double> duration = meter.CreateHistogram<double>($"jeeves.t{suffix}.duration", "s", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        meter.CreateObservableGauge($"jeeves.t{suffix}.queue", () => 7, "{item}");
        foreign.CreateCounter<long>($"other.t{suffix}.calls").Add(1);

        // Act
        requests.Add(2, new KeyValuePair<string, object?>("status.code", "200"), new KeyValuePair<string, object?>("path", "/a\"b"));
        requests.Add(3, new KeyValuePair<string, object?>("path", "/a\"b"), new KeyValuePair<string, object?>("status.code", "200"));
        active.Add(5);
        active.Add(-2);
        duration.Record(0.05);
        duration.Record(0.5);
        duration.Record(5);
        string text = exporter.Scrape();

        // Assert
        string p = $"jeeves_t{suffix}";
        Assert.That(text, Does.Contain($"# HELP {p}_requests_total Requests.\n# TYPE {p}_requests_total counter\n"));
        Assert.That(text, Does.Contain($"{p}_requests_total{{path=\"/a\\\"b\",status_code=\"200\"}} 5\n"), "tags in any order are one series; quotes escaped");
        Assert.That(text, Does.Contain($"# TYPE {p}_active gauge\n{p}_active 3\n"));
        Assert.That(text, Does.Contain($"{p}_duration_seconds_bucket{{le=\"0.1\"}} 1\n{p}_duration_seconds_bucket{{le=\"1\"}} 2\n{p}_duration_seconds_bucket{{le=\"+Inf\"}} 3\n{p}_duration_seconds_sum 5.55\n{p}_duration_seconds_count 3\n"));
        Assert.That(text, Does.Contain($"# TYPE {p}_queue gauge\n{p}_queue 7\n"));
        Assert.That(text, Does.Not.Contain($"other_t{suffix}"));
    }
}
