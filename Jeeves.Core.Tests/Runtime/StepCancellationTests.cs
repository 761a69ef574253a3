using Jeeves.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Runtime;

/// <summary>The per-run cancellation of agent steps: the caller's token or the step's time limit, one step at a time.</summary>
public sealed class StepCancellationTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _time = new(TestKernel.Epoch);

    [Test]
    public void An_armed_step_is_cancelled_when_its_time_is_up_and_says_it_timed_out()
    {
        using var steps = new StepCancellation(_time, CancellationToken.None);

        CancellationToken token = steps.Start(Limit, armNow: true);
        _time.Advance(Limit - TimeSpan.FromMilliseconds(1));
        Assert.That(token.IsCancellationRequested, Is.False);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.That(token.IsCancellationRequested, Is.True);
        Assert.That(steps.TimedOut, Is.True);
    }

    [Test]
    public void A_step_that_never_waits_is_never_cancelled_by_time()
    {
        using var steps = new StepCancellation(_time, CancellationToken.None);

        CancellationToken token = steps.Start(Limit, armNow: false);
        _time.Advance(Limit * 3);

        Assert.That(token.IsCancellationRequested, Is.False);
        Assert.That(steps.TimedOut, Is.False);
    }

    [Test]
    public void Arming_late_counts_the_limit_from_the_start()
    {
        using var steps = new StepCancellation(_time, CancellationToken.None);

        CancellationToken token = steps.Start(Limit, armNow: false);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        steps.Arm();
        _time.Advance(TimeSpan.FromSeconds(0.5));

        Assert.That(token.IsCancellationRequested, Is.True);
    }

    [Test]
    public void Arming_after_the_limit_cancels_at_once()
    {
        using var steps = new StepCancellation(_time, CancellationToken.None);

        CancellationToken token = steps.Start(Limit, armNow: false);
        _time.Advance(Limit);
        steps.Arm();

        Assert.That((token.IsCancellationRequested, steps.TimedOut), Is.EqualTo((true, true)));
    }

    [Test]
    public void Ending_a_step_stops_its_clock_and_the_next_step_starts_afresh()
    {
        using var steps = new StepCancellation(_time, CancellationToken.None);

        CancellationToken first = steps.Start(Limit, armNow: true);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        steps.End();
        CancellationToken second = steps.Start(Limit, armNow: true);
        _time.Advance(TimeSpan.FromSeconds(1.5));

        Assert.That((first.IsCancellationRequested, second.IsCancellationRequested), Is.EqualTo((false, false)));
        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.That(second.IsCancellationRequested, Is.True);
    }

    [Test]
    public void After_a_timeout_the_next_step_gets_a_token_that_is_not_cancelled()
    {
        using var steps = new StepCancellation(_time, CancellationToken.None);

        CancellationToken first = steps.Start(Limit, armNow: true);
        _time.Advance(Limit);
        steps.End();
        CancellationToken second = steps.Start(Limit, armNow: false);

        Assert.That((first.IsCancellationRequested, second.IsCancellationRequested, steps.TimedOut), Is.EqualTo((true, false, false)));
    }

    [Test]
    public async Task The_callers_cancellation_reaches_the_running_step_and_is_not_a_timeout()
    {
        using var caller = new CancellationTokenSource();
        using var steps = new StepCancellation(_time, caller.Token);

        CancellationToken token = steps.Start(Limit, armNow: true);
        await caller.CancelAsync();

        Assert.That((token.IsCancellationRequested, steps.TimedOut), Is.EqualTo((true, false)));
        Assert.That(steps.Start(Limit, armNow: false).IsCancellationRequested, Is.True, "a step started after the caller cancelled is cancelled from the start");
    }

    [Test]
    public void A_registration_made_during_a_step_does_not_fire_for_a_later_step()
    {
        using var steps = new StepCancellation(_time, CancellationToken.None);
        int fired = 0;

        _ = steps.Start(Limit, armNow: false).Register(() => fired++);
        steps.End();
        _ = steps.Start(Limit, armNow: true);
        _time.Advance(Limit);

        Assert.That(fired, Is.Zero);
    }
}
