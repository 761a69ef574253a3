using Jeeves.Kernel;

namespace Jeeves.Tests.Kernel;

/// <summary>The per-user sliding-window limiter (reference kernel/rate_limiter.rs, with Q6 and Q9 fixed).</summary>
public sealed class RateLimiterTests
{
    private static readonly DateTimeOffset T0 = TestKernel.Epoch;
    private static readonly UserId User1 = new("user1");
    private static readonly UserId User2 = new("user2");

    private static RateLimiter Limiter(int rpm = 60, int rph = 1000, int burst = 10) =>
        new(new RateLimitOptions { RequestsPerMinute = rpm, RequestsPerHour = rph, BurstSize = burst });

    [Test]
    public void Check_WithinLimit_Allowed()
    {
        var limiter = Limiter();

        Assert.That(limiter.Check(User1, T0, record: true).Allowed, Is.True);
        Assert.That(limiter.Check(User1, T0, record: true).Allowed, Is.True);
    }

    [Test]
    public void Check_PerMinute_FourthRefusedWithMinuteLimitAndRetryAfter()
    {
        var limiter = Limiter(rpm: 3, burst: 100);
        for (int i = 0; i < 3; i++)
        {
            Assert.That(limiter.Check(User1, T0.AddSeconds(i * 15), record: true).Allowed, Is.True);
        }

        RateLimitDecision d = limiter.Check(User1, T0.AddSeconds(45), record: true);

        Assert.That(d.Allowed, Is.False);
        Assert.That(d.Exceeded, Is.True);
        Assert.That(d.Reason, Is.EqualTo("quota exceeded: Rate limit exceeded: 3 requests per minute"));
        Assert.That(d.LimitType, Is.EqualTo(RateLimitWindow.Minute));
        Assert.That(d.Limit, Is.EqualTo(3));
        Assert.That(d.Remaining, Is.Zero);
        Assert.That(d.CurrentCount, Is.EqualTo(3));
        Assert.That(d.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(15) + TimeSpan.FromTicks(1)));
    }

    [Test]
    public void Check_PerHour_SixthRefusedWithHourLimit()
    {
        var limiter = Limiter(rpm: 100, rph: 5, burst: 100);
        for (int i = 0; i < 5; i++)
        {
            limiter.Check(User1, T0.AddMinutes(i * 5), record: true);
        }

        RateLimitDecision d = limiter.Check(User1, T0.AddMinutes(30), record: true);

        Assert.That(d.Reason, Is.EqualTo("quota exceeded: Rate limit exceeded: 5 requests per hour"));
        Assert.That(d.LimitType, Is.EqualTo(RateLimitWindow.Hour));
        Assert.That(d.RetryAfter, Is.EqualTo(TimeSpan.FromMinutes(30) + TimeSpan.FromTicks(1)));
    }

    [Test]
    public void Check_Burst_AllowsBurstThenRefuses()
    {
        var limiter = Limiter(burst: 3);

        for (int i = 0; i < 3; i++)
        {
            Assert.That(limiter.Check(User1, T0, record: true).Allowed, Is.True);
        }

        RateLimitDecision d = limiter.Check(User1, T0, record: true);
        Assert.That(d.Reason, Is.EqualTo("quota exceeded: Burst limit exceeded: 3 requests per 10 seconds"));
        Assert.That(d.LimitType, Is.EqualTo(RateLimitWindow.Burst));
    }

    [Test]
    public void Check_RefusedRequests_NotRecorded()
    {
        var limiter = Limiter(burst: 1);
        limiter.Check(User1, T0, record: true);
        for (int i = 1; i < 10; i++)
        {
            limiter.Check(User1, T0.AddSeconds(i), record: true);
        }

        Assert.That(limiter.Check(User1, T0.AddSeconds(10) + TimeSpan.FromTicks(1), record: true).Allowed, Is.True);
    }

    [Test]
    public void Check_TimestampAtWindowEdge_StillCounted()
    {
        var limiter = Limiter(burst: 1);
        limiter.Check(User1, T0, record: true);

        Assert.That(limiter.Check(User1, T0.AddSeconds(10), record: true).Allowed, Is.False);
        Assert.That(limiter.Check(User1, T0.AddSeconds(10).AddTicks(1), record: true).Allowed, Is.True);
    }

    [Test]
    public void Check_UsersIsolated()
    {
        var limiter = Limiter(rpm: 2);
        limiter.Check(User1, T0, record: true);
        limiter.Check(User1, T0, record: true);

        Assert.That(limiter.Check(User1, T0, record: true).Allowed, Is.False);
        Assert.That(limiter.Check(User2, T0, record: true).Allowed, Is.True);
        Assert.That(limiter.Check(new UserId("user3"), T0, record: true).Allowed, Is.True);
    }

    [Test]
    public void Check_ZeroLimit_RefusesEverythingNeverRetry()
    {
        var limiter = Limiter(burst: 0);

        RateLimitDecision d = limiter.Check(User1, T0, record: true);

        Assert.That(d.Allowed, Is.False);
        Assert.That(d.RetryAfter, Is.EqualTo(TimeSpan.MaxValue));
        Assert.That(limiter.Count, Is.Zero, "no empty window is kept for a refused first request");
    }

    [Test]
    public void Check_DryRun_EvaluatesWithoutRecording()
    {
        var limiter = Limiter(burst: 2);
        limiter.Check(User1, T0, record: true);

        RateLimitDecision dry = limiter.Check(User1, T0, record: false);
        Assert.That((dry.Allowed, dry.CurrentCount, dry.Remaining), Is.EqualTo((true, 1, 1)));

        limiter.Check(User1, T0, record: true);
        RateLimitDecision refused = limiter.Check(User1, T0, record: false);
        Assert.That(refused.Allowed, Is.False, "a dry run reports a refusal, unlike the reference");
        Assert.That(limiter.GetCurrentRate(User1, T0), Is.EqualTo(2));
        Assert.That(limiter.Check(User2, T0, record: false).Allowed, Is.True);
        Assert.That(limiter.Count, Is.EqualTo(1), "a dry run for an unknown user creates no window");
    }

    [Test]
    public void GetCurrentRate_CountsLastMinute()
    {
        var limiter = Limiter();

        Assert.That(limiter.GetCurrentRate(User1, T0), Is.Zero);
        for (int i = 0; i < 3; i++)
        {
            limiter.Check(User1, T0, record: true);
        }

        Assert.That(limiter.GetCurrentRate(User1, T0), Is.EqualTo(3));
        Assert.That(limiter.GetCurrentRate(User1, T0.AddSeconds(61)), Is.Zero);
    }

    [Test]
    public void Clear_BlockedUser_PassesAgain()
    {
        var limiter = Limiter(rpm: 1);
        limiter.Check(User1, T0, record: true);
        Assert.That(limiter.Check(User1, T0, record: true).Allowed, Is.False);

        limiter.Clear(User1);

        Assert.That(limiter.Check(User1, T0, record: true).Allowed, Is.True);
    }

    [Test]
    public void CleanupIdle_KeepsHourlyHistory_UserCannotDodgeHourLimit()
    {
        // Reference quirk Q6: cleanup dropped users idle for a minute, hour history included.
        var limiter = Limiter(rpm: 100, rph: 2, burst: 100);
        limiter.Check(User1, T0, record: true);
        limiter.Check(User1, T0, record: true);

        Assert.That(limiter.CleanupIdle(T0.AddMinutes(5)), Is.Zero);
        Assert.That(limiter.Check(User1, T0.AddMinutes(5), record: true).Allowed, Is.False);

        Assert.That(limiter.CleanupIdle(T0.AddHours(1).AddTicks(1)), Is.EqualTo(1));
        Assert.That(limiter.Count, Is.Zero);
    }

    [Test]
    public void CheckRateLimit_ThroughFacade_EmptyUserRefused()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.CheckRateLimit(default));

        Assert.That(ex!.Message, Is.EqualTo("validation error: user_id is required"));
    }

    [Test]
    public void UnlimitedWindows_KeepNoLog_AndCountZero()
    {
        var limiter = Limiter(rpm: int.MaxValue, rph: int.MaxValue, burst: int.MaxValue);

        for (int i = 0; i < 1_000; i++)
        {
            Assert.That(limiter.Check(User1, T0.AddMilliseconds(i), record: true).Allowed, Is.True);
        }

        Assert.That(limiter.GetCurrentRate(User1, T0.AddSeconds(1)), Is.Zero, "no per-minute log is kept for a window without a limit");
        Assert.That(limiter.Check(User1, T0.AddSeconds(1), record: false).Remaining, Is.EqualTo(int.MaxValue));
    }

    [Test]
    public void UnlimitedHour_TheMinuteLimitStillRefuses_AndTheRefusalKeepsTheLog()
    {
        var limiter = Limiter(rpm: 2, rph: int.MaxValue, burst: 100);
        Assert.That(limiter.Check(User1, T0, record: true).Allowed, Is.True);
        Assert.That(limiter.Check(User1, T0.AddSeconds(1), record: true).Allowed, Is.True);

        RateLimitDecision refused = limiter.Check(User1, T0.AddSeconds(2), record: true);
        RateLimitDecision again = limiter.Check(User1, T0.AddSeconds(3), record: true);

        Assert.That((refused.Allowed, refused.LimitType), Is.EqualTo((false, (RateLimitWindow?)RateLimitWindow.Minute)));
        Assert.That(again.Allowed, Is.False, "the refusal did not forget the requests that fill the minute");
        Assert.That(limiter.Check(User1, T0.AddSeconds(61), record: true).Allowed, Is.True);
    }

    [Test]
    public void UnlimitedHour_AUserIsIdleOnlyAnHourAfterTheLastAdmittedRequest()
    {
        var limiter = Limiter(rpm: 1, rph: int.MaxValue, burst: 100);
        Assert.That(limiter.Check(User1, T0, record: true).Allowed, Is.True);

        Assert.That(limiter.CleanupIdle(T0.AddMinutes(30)), Is.Zero, "30 minutes after its last request the user is not idle, though its minute log is empty");
        Assert.That(limiter.CleanupIdle(T0.AddHours(1).AddTicks(1)), Is.EqualTo(1));
        Assert.That(limiter.Count, Is.Zero);
    }
}
