namespace Jeeves.Runtime;

/// <summary>
/// The cancellation of one agent step at a time within a run: the caller's token or the step's timeout, whichever comes
/// first. One source serves every step of the run (reset between steps), instead of a timer source and a linked source
/// per step; a step that timed out leaves a spent source, which the next step replaces.
/// </summary>
/// <remarks>Used by one run loop at a time; the caller's token may fire on any thread.</remarks>
internal sealed class StepCancellation : IDisposable
{
    private readonly TimeProvider _time;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenRegistration _registration;
    private CancellationTokenSource? _step;

    public StepCancellation(TimeProvider time, CancellationToken caller)
    {
        _time = time;
        _caller = caller;
        if (caller.CanBeCanceled)
        {
            _registration = caller.UnsafeRegister(static s => ((StepCancellation)s!).OnCallerCancelled(), this);
        }
    }

    /// <summary>Gets whether the current step's own time ran out (as opposed to the caller cancelling).</summary>
    public bool TimedOut => _step is { IsCancellationRequested: true } && !_caller.IsCancellationRequested;

    /// <summary>Starts a step that may take up to <paramref name="limit"/>.</summary>
    /// <returns>The token the step runs under.</returns>
    public CancellationToken Start(TimeSpan limit)
    {
        CancellationTokenSource? step = _step;
        if (step is null || !step.TryReset())
        {
            step?.Dispose();

            // Built on the run's clock with no due time yet, so that CancelAfter below runs on that clock too.
            step = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
            Volatile.Write(ref _step, step);
            if (_caller.IsCancellationRequested)
            {
                step.Cancel();      // the caller cancelled before the callback could see this source
            }
        }

        step.CancelAfter(limit);
        return step.Token;
    }

    public void Dispose()
    {
        _registration.Dispose();
        _step?.Dispose();
        _step = null;
    }

    private void OnCallerCancelled()
    {
        try
        {
            Volatile.Read(ref _step)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run ended and released its source as the caller cancelled: nothing left to stop.
        }
    }
}
