using Jeeves.Kernel;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Kernel.Tools;

/// <summary>The tool circuit breaker over time (§10.5, Q17 and Q24 fixed), on a <see cref="FakeTimeProvider"/>.</summary>
public sealed class ToolCircuitBreakerTests
{
    private const string Tool = "flaky";

    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(300);

    private static KernelCore Kernel(out FakeTimeProvider time, int threshold = 3, TimeSpan? window = null) =>
        TestKernel.Create(out time, o =>
        {
            o.ToolHealth.CircuitBreakErrorThreshold = threshold;
            o.ToolHealth.CircuitBreakWindow = window ?? s_window;
            o.ToolHealth.MinCallsForAssessment = 5;
        });

    private static void Fail(KernelCore core, int times = 1)
    {
        for (int i = 0; i < times; i++)
        {
            core.RecordToolExecution(Tool, success: false, TimeSpan.FromMilliseconds(10), "Timeout");
        }
    }

    [Test]
    public void ShouldCircuitBreak_ThresholdFailures_Opens()
    {
        // Arrange
        KernelCore core = Kernel(out _);
        Fail(core, 2);
        Assert.That(core.ShouldCircuitBreak(Tool), Is.False);

        // Act
        Fail(core);

        // Assert: open with fewer calls than MinCallsForAssessment (Q17), and the report agrees.
        ToolHealthReport report = core.CheckToolHealth(Tool);
        Assert.That(core.ShouldCircuitBreak(Tool), Is.True);
        Assert.That(report.Status, Is.EqualTo(HealthStatus.Unknown));
        Assert.That(report.CircuitBroken, Is.True);
        Assert.That(report.RecentErrors, Is.EqualTo(3));
        Assert.That(report.Issues, Does.Contain("Circuit breaker open: 3 errors in last 300s"));
    }

    [Test]
    public void ShouldCircuitBreak_FailuresOlderThanWindow_Closes()
    {
        // Arrange
        KernelCore core = Kernel(out FakeTimeProvider time);
        Fail(core, 3);

        // Act
        time.Advance(s_window);
        bool atWindow = core.ShouldCircuitBreak(Tool);
        time.Advance(TimeSpan.FromTicks(1));
        bool pastWindow = core.ShouldCircuitBreak(Tool);

        // Assert: a failure exactly one window old still counts; one tick later it does not.
        Assert.That(atWindow, Is.True);
        Assert.That(pastWindow, Is.False);
        ToolHealthReport report = core.CheckToolHealth(Tool);
        Assert.That((report.CircuitBroken, report.RecentErrors), Is.EqualTo((false, 0)));
    }

    [Test]
    public void ShouldCircuitBreak_SuccessesWhileOpen_DoNotCloseEarly()
    {
        // Arrange
        KernelCore core = Kernel(out FakeTimeProvider time);
        Fail(core, 3);

        // Act
        for (int i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            core.RecordToolExecution(Tool, success: true, TimeSpan.FromMilliseconds(10));
        }

        // Assert: 200 s later, after 20 successes, the failures still count.
        Assert.That(core.ShouldCircuitBreak(Tool), Is.True);
        Assert.That(core.CheckToolHealth(Tool).CircuitBroken, Is.True);
        time.Advance(s_window - TimeSpan.FromSeconds(200) + TimeSpan.FromTicks(1));
        Assert.That(core.ShouldCircuitBreak(Tool), Is.False);
    }

    [Test]
    public void ShouldCircuitBreak_StaggeredFailures_ClosesWhenOldestAgesOut()
    {
        // Arrange
        KernelCore core = Kernel(out FakeTimeProvider time);
        Fail(core);
        time.Advance(TimeSpan.FromSeconds(100));
        Fail(core);
        time.Advance(TimeSpan.FromSeconds(100));
        Fail(core);
        Assert.That(core.ShouldCircuitBreak(Tool), Is.True);

        // Act: the first failure is now one window and one tick old.
        time.Advance(TimeSpan.FromSeconds(100) + TimeSpan.FromTicks(1));

        // Assert
        Assert.That(core.ShouldCircuitBreak(Tool), Is.False);
        Assert.That(core.CheckToolHealth(Tool).RecentErrors, Is.EqualTo(2));

        // A new failure opens it again.
        Fail(core);
        Assert.That(core.ShouldCircuitBreak(Tool), Is.True);
    }

    [TestCase(43)]
    [TestCase(1234)]
    [TestCase(300_000)]
    public void ShouldCircuitBreak_FailureExactlyOneWindowOld_StillCounts(int windowMs)
    {
        // Arrange
        TimeSpan window = TimeSpan.FromMilliseconds(windowMs);
        KernelCore core = Kernel(out FakeTimeProvider time, threshold: 1, window: window);
        Fail(core);

        // Act
        time.Advance(window);

        // Assert: recent failures are those at or after now - window (§10.5), to the tick.
        Assert.That(core.ShouldCircuitBreak(Tool), Is.True);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.That(core.ShouldCircuitBreak(Tool), Is.False);
    }
}
