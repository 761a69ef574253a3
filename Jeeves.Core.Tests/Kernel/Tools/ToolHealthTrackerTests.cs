using Jeeves.Kernel.Tools;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Kernel.Tools;

/// <summary>Tool health (reference tools/health.rs; test config: min_calls 3, threshold 3, window 300 s, 100 records).</summary>
public sealed class ToolHealthTrackerTests
{
    private static ToolHealthTracker Tracker(out FakeTimeProvider time, int windowSize = 100)
    {
        time = new FakeTimeProvider(TestKernel.Epoch);
        return new ToolHealthTracker(new ToolHealthOptions { MinCallsForAssessment = 3, CircuitBreakErrorThreshold = 3, WindowSize = windowSize }, time);
    }

    private static void Record(ToolHealthTracker tracker, int times, bool success, long latencyMs = 100, string? errorType = null)
    {
        for (int i = 0; i < times; i++)
        {
            tracker.Record("tool", success, latencyMs, errorType);
        }
    }

    [Test]
    public void Report_NoData_UnknownWithNoHistoryIssue()
    {
        ToolHealthReport r = Tracker(out _).Report("tool");

        Assert.That((r.Status, r.TotalCalls, r.SuccessRate, r.AvgLatencyMs, r.CircuitBroken), Is.EqualTo((HealthStatus.Unknown, 0, 0.0, 0.0, false)));
        Assert.That(r.Issues, Is.EqualTo(new[] { "No execution history" }));
    }

    [Test]
    public void Report_InsufficientData_UnknownWithActualFigures()
    {
        ToolHealthTracker tracker = Tracker(out _);
        Record(tracker, 2, success: true, latencyMs: 50);

        ToolHealthReport r = tracker.Report("tool");

        Assert.That((r.Status, r.TotalCalls, r.SuccessRate, r.AvgLatencyMs), Is.EqualTo((HealthStatus.Unknown, 2, 1.0, 50.0)));
        Assert.That(r.Issues, Is.EqualTo(new[] { "Insufficient data (2/3)" }));
    }

    [Test]
    public void Report_AllFast_Healthy()
    {
        ToolHealthTracker tracker = Tracker(out _);
        Record(tracker, 10, success: true, latencyMs: 100);

        ToolHealthReport r = tracker.Report("tool");

        Assert.That((r.Status, r.SuccessRate, r.AvgLatencyMs, r.CircuitBroken), Is.EqualTo((HealthStatus.Healthy, 1.0, 100.0, false)));
        Assert.That(r.Issues, Is.Empty);
    }

    [Test]
    public void Report_EightyPercent_DegradedWithIssue()
    {
        ToolHealthTracker tracker = Tracker(out _);
        Record(tracker, 8, success: true);
        Record(tracker, 2, success: false);

        ToolHealthReport r = tracker.Report("tool");

        Assert.That(r.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(r.Issues[0], Is.EqualTo("Success rate 80.0% below 95% threshold"));
    }

    [Test]
    public void Report_FiftyPercent_Unhealthy()
    {
        ToolHealthTracker tracker = Tracker(out _);
        Record(tracker, 5, success: true);
        Record(tracker, 5, success: false);

        Assert.That(tracker.Report("tool").Status, Is.EqualTo(HealthStatus.Unhealthy));
    }

    [TestCase(3000, "Degraded")]
    [TestCase(6000, "Unhealthy")]
    public void Report_SlowCalls_GradedByLatency(long latencyMs, string expected)
    {
        ToolHealthTracker tracker = Tracker(out _);
        Record(tracker, 5, success: true, latencyMs: latencyMs);

        ToolHealthReport r = tracker.Report("tool");

        Assert.That(r.Status.ToString(), Is.EqualTo(expected));
        Assert.That(r.Issues, Is.EqualTo(new[] { $"Avg latency {latencyMs}ms exceeds 2000ms threshold" }));
    }

    [Test]
    public void ShouldCircuitBreak_ThreeFailures_TrueUnknownToolFalse()
    {
        ToolHealthTracker tracker = Tracker(out _);
        Record(tracker, 3, success: false);

        Assert.That(tracker.ShouldCircuitBreak("tool"), Is.True);
        Assert.That(tracker.ShouldCircuitBreak("other"), Is.False);
        ToolHealthReport r = tracker.Report("tool");
        Assert.That((r.CircuitBroken, r.RecentErrors), Is.EqualTo((true, 3)));
        Assert.That(r.Issues, Does.Contain("Circuit breaker open: 3 errors in last 300s"));
    }

    [Test]
    public void Report_InsufficientDataButFailing_CircuitBrokenAgreesWithShouldBreak()
    {
        // Reference quirk Q17: the report said false while ShouldCircuitBreak said true.
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var tracker = new ToolHealthTracker(new ToolHealthOptions { MinCallsForAssessment = 10, CircuitBreakErrorThreshold = 3 }, time);
        Record(tracker, 3, success: false);

        ToolHealthReport r = tracker.Report("tool");

        Assert.That(r.Status, Is.EqualTo(HealthStatus.Unknown));
        Assert.That(r.CircuitBroken, Is.True);
        Assert.That(r.CircuitBroken, Is.EqualTo(tracker.ShouldCircuitBreak("tool")));
    }

    [Test]
    public void Window_OldestEvicted()
    {
        ToolHealthTracker tracker = Tracker(out _, windowSize: 5);
        Record(tracker, 5, success: false);
        Record(tracker, 5, success: true);

        ToolHealthReport r = tracker.Report("tool");

        Assert.That((r.SuccessRate, r.TotalCalls), Is.EqualTo((1.0, 5)));
    }

    [Test]
    public void CircuitBreaker_FailuresAgeOutOfWindow_Closes()
    {
        ToolHealthTracker tracker = Tracker(out FakeTimeProvider time);
        Record(tracker, 3, success: false);
        time.Advance(TimeSpan.FromSeconds(299));
        Record(tracker, 1, success: true);

        Assert.That(tracker.ShouldCircuitBreak("tool"), Is.True, "a success does not close the circuit early");

        time.Advance(TimeSpan.FromSeconds(2));

        Assert.That(tracker.ShouldCircuitBreak("tool"), Is.False);
        Assert.That(tracker.Report("tool").RecentErrors, Is.Zero);
    }

    [Test]
    public void SystemHealth_RegisteredAndRecorded_UnionSortedWithSummary()
    {
        ToolHealthTracker tracker = Tracker(out _);
        for (int i = 0; i < 5; i++)
        {
            tracker.Record("a", success: true, latencyMs: 10, errorType: null);
        }

        SystemToolHealth health = tracker.SystemHealth(["b", "a", "b"]);

        Assert.That(health.ToolReports.Select(r => r.ToolName), Is.EqualTo(new[] { "a", "b" }));
        Assert.That((health.Summary[HealthStatus.Healthy], health.Summary[HealthStatus.Unknown]), Is.EqualTo((1, 1)));
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Healthy), "unknown tools do not drag the system down");
    }

    [Test]
    public void ErrorPatterns_ByCountThenType()
    {
        ToolHealthTracker tracker = Tracker(out _);
        Record(tracker, 1, success: false, errorType: "Value");
        Record(tracker, 2, success: false, errorType: "Timeout");
        Record(tracker, 1, success: false, errorType: "Auth");
        Record(tracker, 1, success: false);
        Record(tracker, 3, success: true, errorType: "Ignored");

        Assert.That(tracker.ErrorPatterns("tool"), Is.EqualTo(new[]
        {
            new ToolErrorPattern("Timeout", 2), new ToolErrorPattern("Auth", 1), new ToolErrorPattern("Value", 1), new ToolErrorPattern("unknown", 1),
        }));
        Assert.That(tracker.ErrorPatterns("other"), Is.Empty);
    }

    [Test]
    public void Report_FastButSlowAndFullySuccessful_WorstOfTwo()
    {
        ToolHealthTracker tracker = Tracker(out _);
        Record(tracker, 5, success: true, latencyMs: 3000);

        Assert.That(tracker.Report("tool").Status, Is.EqualTo(HealthStatus.Degraded));
    }

    [Test]
    public void Facade_BadInput_ClearErrorsNothingRecorded()
    {
        var core = TestKernel.Create(out _);

        var empty = Assert.Throws<KernelException>(() => core.RecordToolExecution(string.Empty, success: true, TimeSpan.Zero));
        var negative = Assert.Throws<KernelException>(() => core.RecordToolExecution("t", success: true, TimeSpan.FromMilliseconds(-5)));

        Assert.That(empty!.Message, Is.EqualTo("validation error: Missing required field: tool_name"));
        Assert.That(negative!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(core.ToolHealth.ToolCount, Is.Zero);
    }
}
