using Jeeves.Kernel;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Kernel;

/// <summary>
/// Rate limiter invariants of spec §19 (17-21), plus the dry run and RetryAfter, driven by explicit times and, for
/// the kernel, by a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class RateLimiterProperties
{
    private static readonly DateTimeOffset s_start = TestKernel.Epoch;
    private static readonly TimeSpan s_burstWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_minuteWindow = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_hourWindow = TimeSpan.FromHours(1);

    /// <summary>
    /// The limiter is an exact sliding log: a request is admitted exactly when fewer than the limit admitted requests
    /// lie in each closed window ending now (hour, then minute, then burst), and only admitted requests are recorded.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void RateLimiter_AnySchedule_AdmitsExactlyWhenEveryWindowHasRoom(RateLimits limits, RequestSchedule schedule)
    {
        // Arrange
        var limiter = new RateLimiter(limits.ToOptions());
        var admitted = new Dictionary<UserId, List<DateTimeOffset>>();
        IReadOnlyList<DateTimeOffset> times = schedule.Times(s_start);

        for (int i = 0; i < times.Count; i++)
        {
            ScheduledRequest request = schedule.Requests[i];
            DateTimeOffset now = times[i];
            List<DateTimeOffset> log = admitted.TryGetValue(request.UserId, out List<DateTimeOffset>? l) ? l : admitted[request.UserId] = [];
            int hour = log.Count(t => t >= now - s_hourWindow);
            int minute = log.Count(t => t >= now - s_minuteWindow);
            int burst = log.Count(t => t >= now - s_burstWindow);
            RateLimitWindow? refusing =
                hour >= limits.PerHour ? RateLimitWindow.Hour :
                minute >= limits.PerMinute ? RateLimitWindow.Minute :
                burst >= limits.Burst ? RateLimitWindow.Burst :
                null;

            // Act
            RateLimitDecision decision = limiter.Check(request.UserId, now, request.Record);

            // Assert
            string where = $"request {i} ({request}) at +{(now - s_start).TotalMilliseconds}ms with {hour}/{minute}/{burst} in the windows";
            Assert.That((decision.Allowed, decision.LimitType), Is.EqualTo((refusing is null, refusing)), where);
            if (refusing is null)
            {
                int added = request.Record ? 1 : 0;
                if (request.Record)
                {
                    log.Add(now);
                }

                int remaining = Math.Min(limits.PerHour - hour - added, Math.Min(limits.PerMinute - minute - added, limits.Burst - burst - added));
                Assert.That((decision.CurrentCount, decision.Remaining, decision.Limit), Is.EqualTo((minute + added, remaining, limits.PerMinute)), where);
            }
            else
            {
                int limit = refusing == RateLimitWindow.Hour ? limits.PerHour : refusing == RateLimitWindow.Minute ? limits.PerMinute : limits.Burst;
                Assert.That((decision.CurrentCount, decision.Remaining, decision.Limit), Is.EqualTo((minute, 0, limit)), where);
            }
        }
    }

    /// <summary>(17) Admitted requests never number more than burst in a closed 10 s interval, rpm in 60 s, or rph in an hour.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void RateLimiter_AnySchedule_NeverAdmitsMoreThanTheLimitInAnyClosedWindow(RateLimits limits, RequestSchedule schedule)
    {
        // Arrange
        var limiter = new RateLimiter(limits.ToOptions());
        IReadOnlyList<DateTimeOffset> times = schedule.Times(s_start);

        // Act
        var admitted = schedule.Requests
            .Select((r, i) => (r.UserId, Time: times[i], limiter.Check(r.UserId, times[i], record: true).Allowed))
            .Where(x => x.Allowed)
            .ToList();

        // Assert: the busiest closed interval of each length starts at an admitted request.
        foreach (IGrouping<UserId, DateTimeOffset> user in admitted.GroupBy(x => x.UserId, x => x.Time))
        {
            List<DateTimeOffset> log = [.. user];
            foreach (DateTimeOffset from in log)
            {
                Assert.That(log.Count(t => t >= from && t <= from + s_burstWindow), Is.LessThanOrEqualTo(limits.Burst), $"{user.Key}: 10 s from {from:O}");
                Assert.That(log.Count(t => t >= from && t <= from + s_minuteWindow), Is.LessThanOrEqualTo(limits.PerMinute), $"{user.Key}: 60 s from {from:O}");
                Assert.That(log.Count(t => t >= from && t <= from + s_hourWindow), Is.LessThanOrEqualTo(limits.PerHour), $"{user.Key}: 1 h from {from:O}");
            }
        }
    }

    /// <summary>(18) A refused request leaves the limiter as if it had never been made: a limiter that never saw it decides alike from then on.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void RateLimiter_RefusedRequest_LeavesTheStateAsIfItWasNeverMade(RateLimits limits, RequestSchedule schedule)
    {
        // Arrange
        var everything = new RateLimiter(limits.ToOptions());
        var admittedOnly = new RateLimiter(limits.ToOptions());
        IReadOnlyList<DateTimeOffset> times = schedule.Times(s_start);

        for (int i = 0; i < times.Count; i++)
        {
            UserId user = schedule.Requests[i].UserId;

            // Act
            RateLimitDecision decision = everything.Check(user, times[i], record: true);
            if (decision.Allowed)
            {
                Assert.That(admittedOnly.Check(user, times[i], record: true), Is.EqualTo(decision), $"request {i}: the twin decided differently");
            }

            // Assert: both limiters now answer every user alike.
            for (int u = 0; u < ScheduledRequest.UserCount; u++)
            {
                UserId probe = ScheduledRequest.UserOf(u);
                Assert.That(admittedOnly.Check(probe, times[i], record: false), Is.EqualTo(everything.Check(probe, times[i], record: false)),
                    $"after request {i} ({(decision.Allowed ? "admitted" : "refused")}): {probe}");
            }
        }
    }

    /// <summary>(19) Users are isolated: each user's decisions are the ones a limiter serving that user alone would make.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void RateLimiter_InterleavedUsers_DecideAsIfEachWasAlone(RateLimits limits, RequestSchedule schedule)
    {
        // Arrange
        var shared = new RateLimiter(limits.ToOptions());
        var alone = Enumerable.Range(0, ScheduledRequest.UserCount).ToDictionary(ScheduledRequest.UserOf, _ => new RateLimiter(limits.ToOptions()));
        IReadOnlyList<DateTimeOffset> times = schedule.Times(s_start);

        for (int i = 0; i < times.Count; i++)
        {
            UserId user = schedule.Requests[i].UserId;

            // Act
            RateLimitDecision together = shared.Check(user, times[i], record: true);
            RateLimitDecision separately = alone[user].Check(user, times[i], record: true);

            // Assert
            Assert.That(together, Is.EqualTo(separately), $"request {i}: {user}");
        }
    }

    /// <summary>(20) GetCurrentRate is the number of the user's admitted requests in the last 60 seconds, both ends included.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void RateLimiter_GetCurrentRate_EqualsAdmittedRequestsInTheLastMinuteInclusive(RateLimits limits, RequestSchedule schedule)
    {
        // Arrange
        var limiter = new RateLimiter(limits.ToOptions());
        var admitted = new List<(UserId User, DateTimeOffset Time)>();
        IReadOnlyList<DateTimeOffset> times = schedule.Times(s_start);

        for (int i = 0; i < times.Count; i++)
        {
            DateTimeOffset now = times[i];

            // Act
            if (limiter.Check(schedule.Requests[i].UserId, now, record: true).Allowed)
            {
                admitted.Add((schedule.Requests[i].UserId, now));
            }

            // Assert
            for (int u = 0; u < ScheduledRequest.UserCount; u++)
            {
                UserId user = ScheduledRequest.UserOf(u);
                int expected = admitted.Count(a => a.User == user && a.Time >= now - s_minuteWindow);
                Assert.That(limiter.GetCurrentRate(user, now), Is.EqualTo(expected), $"after request {i}: {user}");
            }
        }
    }

    /// <summary>(21) Cleaning up idle windows at any moment never changes a later decision.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void RateLimiter_CleanupIdleAtAnyMoment_NeverChangesALaterDecision(RateLimits limits, RequestSchedule schedule)
    {
        // Arrange
        var cleaned = new RateLimiter(limits.ToOptions());
        var untouched = new RateLimiter(limits.ToOptions());
        IReadOnlyList<DateTimeOffset> times = schedule.Times(s_start);

        for (int i = 0; i < times.Count; i++)
        {
            ScheduledRequest request = schedule.Requests[i];
            if (request.CleanupBefore)
            {
                // Act: somewhere between the previous request and this one.
                DateTimeOffset previous = i == 0 ? s_start : times[i - 1];
                cleaned.CleanupIdle(previous + ((times[i] - previous) / 2));
            }

            // Assert
            Assert.That(cleaned.Check(request.UserId, times[i], record: true), Is.EqualTo(untouched.Check(request.UserId, times[i], record: true)),
                $"request {i} ({request})");
        }

        cleaned.CleanupIdle(times.Count == 0 ? s_start : times[^1] + s_hourWindow + TimeSpan.FromTicks(1));
        Assert.That(cleaned.Count, Is.Zero, "an hour after the last request every window is idle");
    }

    /// <summary>A dry run (record: false) answers what a real request would get, and records nothing.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void RateLimiter_DryRun_AnswersLikeARealRequestAndRecordsNothing(RateLimits limits, RequestSchedule schedule)
    {
        // Arrange
        var withDryRuns = new RateLimiter(limits.ToOptions());
        var recordedOnly = new RateLimiter(limits.ToOptions());
        IReadOnlyList<DateTimeOffset> times = schedule.Times(s_start);

        for (int i = 0; i < times.Count; i++)
        {
            ScheduledRequest request = schedule.Requests[i];

            // Act
            RateLimitDecision decision = withDryRuns.Check(request.UserId, times[i], request.Record);

            // Assert
            if (request.Record)
            {
                Assert.That(decision, Is.EqualTo(recordedOnly.Check(request.UserId, times[i], record: true)), $"request {i}");
            }
            else
            {
                RateLimitDecision dry = recordedOnly.Check(request.UserId, times[i], record: false);
                Assert.That(decision, Is.EqualTo(dry), $"dry run {i}");
                Assert.That(decision.Allowed, Is.EqualTo(Replay(limits, schedule, times, i).Check(request.UserId, times[i], record: true).Allowed),
                    $"dry run {i} disagrees with a real request");
            }
        }
    }

    /// <summary>
    /// A refused request is admitted once the clock has moved by exactly its RetryAfter, and not one tick earlier
    /// (with a limit of 0 the wait is <see cref="TimeSpan.MaxValue"/>).
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void RateLimiter_RefusedRequest_IsAdmittedAfterExactlyRetryAfter(RateLimits limits, RequestSchedule schedule)
    {
        // Arrange
        var limiter = new RateLimiter(limits.ToOptions());
        var admittedAt = new List<DateTimeOffset>();
        TimeSpan shift = TimeSpan.Zero;
        DateTimeOffset last = s_start;
        IReadOnlyList<DateTimeOffset> times = schedule.Times(s_start);

        for (int i = 0; i < times.Count; i++)
        {
            UserId user = schedule.Requests[i].UserId;
            DateTimeOffset now = times[i] + shift < last ? last : times[i] + shift;

            // Act
            RateLimitDecision decision = limiter.Check(user, now, record: true);
            last = now;
            if (decision.Allowed)
            {
                continue;
            }

            // Assert
            if (!limits.AllPositive)
            {
                Assert.That(decision.RetryAfter, Is.EqualTo(TimeSpan.MaxValue), $"request {i}: a limit of 0 never clears");
                continue;
            }

            TimeSpan wait = decision.RetryAfter;
            Assert.That(wait, Is.GreaterThan(TimeSpan.Zero), $"request {i}: refused with no wait");
            Assert.That(limiter.Check(user, now + wait - TimeSpan.FromTicks(1), record: false).Allowed, Is.False,
                $"request {i} at +{(now - s_start).TotalMilliseconds}ms: admitted a tick before RetryAfter {wait}");
            Assert.That(limiter.Check(user, now + wait, record: true).Allowed, Is.True,
                $"request {i} at +{(now - s_start).TotalMilliseconds}ms: still refused after RetryAfter {wait}");
            shift += wait;
            last = now + wait;
        }
    }

    /// <summary>Through the kernel: a rate-limited CreateProcess succeeds once the clock has moved by the exception's RetryAfter.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 200)]
    public void CreateProcess_RateLimited_SucceedsAfterAdvancingTheClockByRetryAfter(RateLimits limits, RequestSchedule schedule)
    {
        // Arrange
        var positive = new RateLimits(Math.Max(1, limits.PerHour), Math.Max(1, limits.PerMinute), Math.Max(1, limits.Burst));
        KernelCore core = TestKernel.Create(out FakeTimeProvider time, o => positive.ApplyTo(o.RateLimit));
        IReadOnlyList<DateTimeOffset> times = schedule.Times(s_start);
        DateTimeOffset scheduledBefore = s_start;

        for (int i = 0; i < times.Count; i++)
        {
            time.Advance(times[i] - scheduledBefore); // keep the schedule's gaps; waits shift what follows
            scheduledBefore = times[i];
            var pid = new ProcessId($"p{i}");
            var options = new CreateProcessOptions { UserId = schedule.Requests[i].UserId };

            // Act
            RateLimitedException? refused = null;
            try
            {
                core.CreateProcess(pid, options);
            }
            catch (RateLimitedException ex)
            {
                refused = ex;
            }

            if (refused is null)
            {
                continue;
            }

            // Assert
            Assert.That((refused.Code, refused.RetryAfter > TimeSpan.Zero), Is.EqualTo((KernelErrorCode.ResourceExhausted, true)), $"request {i}");
            Assert.That(core.GetProcess(pid), Is.Null, $"request {i}: a refused create left a process");
            time.Advance(refused.RetryAfter - TimeSpan.FromTicks(1));
            Assert.That(core.CheckRateLimit(schedule.Requests[i].UserId, record: false).Allowed, Is.False, $"request {i}: admitted a tick early");
            time.Advance(TimeSpan.FromTicks(1));
            Assert.That(core.CreateProcess(pid, options).State, Is.EqualTo(ProcessState.Ready), $"request {i} after RetryAfter");
        }
    }

    /// <summary>A fresh limiter that has seen the recorded requests among the first <paramref name="count"/>.</summary>
    private static RateLimiter Replay(RateLimits limits, RequestSchedule schedule, IReadOnlyList<DateTimeOffset> times, int count)
    {
        var replayed = new RateLimiter(limits.ToOptions());
        for (int i = 0; i < count; i++)
        {
            if (schedule.Requests[i].Record)
            {
                replayed.Check(schedule.Requests[i].UserId, times[i], record: true);
            }
        }

        return replayed;
    }
}
