namespace Jeeves.Runtime;

/// <summary>
/// The cancellation of the agent step that is running, one step at a time within a run: the caller's token or the step's
/// own time limit, whichever comes first.
/// </summary>
/// <remarks>
/// <para>
/// One source serves every step of a run (reset between steps, replaced only after it was cancelled), and the time limit
/// is a single timer per run that is armed only when a step has to wait: a step that completes without waiting (a model
/// that answers at once, a cached answer) costs no timer at all. <see cref="Arm"/> counts the limit from the step's
/// start, so arming late does not extend it. A step that runs code the runtime does not control (handlers, hooks) is
/// armed from its start, so a long synchronous stretch still sees its token cancelled on time.
/// </para>
/// <para>Used by one run loop at a time; the caller's token and the timer may fire on any thread.</para>
/// </remarks>
internal sealed class StepCancellation : IDisposable
{
    private readonly TimeProvider _time;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenRegistration _registration;
    private readonly Lock _gate = new();
    private CancellationTokenSource _step = new();
    private ITimer? _timer;
    private long _startedAt;
    private TimeSpan _limit;
    private bool _armed;        // guarded by _gate: the timer stands for the current step
    private bool _spent;        // guarded by _gate: the timer fired for the current source, which is being cancelled
    private bool _timedOut;     // guarded by _gate

    public StepCancellation(TimeProvider time, CancellationToken caller)
    {
        _time = time;
        _caller = caller;
        if (caller.CanBeCanceled)
        {
            _registration = caller.UnsafeRegister(static s => ((StepCancellation)s!).OnCallerCancelled(), this);
        }
    }

    /// <summary>Gets whether the current step ran out of time (as opposed to the caller cancelling).</summary>
    public bool TimedOut
    {
        get
        {
            lock (_gate)
            {
                return _timedOut && !_caller.IsCancellationRequested;
            }
        }
    }

    /// <summary>Starts a step that may take up to <paramref name="limit"/>.</summary>
    /// <param name="limit">The step's time limit.</param>
    /// <param name="armNow">Whether to start the clock now rather than when the step first waits.</param>
    /// <returns>The token the step runs under.</returns>
    public CancellationToken Start(TimeSpan limit, bool armNow)
    {
        bool spent;
        lock (_gate)
        {
            spent = _spent;
            _spent = false;
            _timedOut = false;
        }

        if (spent || !_step.TryReset())
        {
            // Cancelled (by the timer, possibly still running its callbacks, or by the caller): never reuse it.
            var step = new CancellationTokenSource();
            Volatile.Write(ref _step, step);
            if (_caller.IsCancellationRequested)
            {
                step.Cancel();      // the caller cancelled before its callback could see this source
            }
        }

        _limit = limit;
        _startedAt = _time.GetTimestamp();
        if (armNow)
        {
            Arm();
        }

        return _step.Token;
    }

    /// <summary>Starts the step's clock, if it is not running yet: the step is about to wait.</summary>
    public void Arm()
    {
        TimeSpan remaining = _limit - _time.GetElapsedTime(_startedAt);
        CancellationTokenSource step;
        lock (_gate)
        {
            if (_armed || _spent || _step.IsCancellationRequested)
            {
                return;
            }

            if (remaining > TimeSpan.Zero)
            {
                _armed = true;
                _timer ??= _time.CreateTimer(static s => ((StepCancellation)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _ = _timer.Change(remaining, Timeout.InfiniteTimeSpan);
                return;
            }

            // The step used up its time before it first waited.
            (_spent, _timedOut, step) = (true, true, _step);
        }

        step.Cancel();
    }

    /// <summary>Ends the current step: its clock stops.</summary>
    public void End()
    {
        lock (_gate)
        {
            if (_armed)
            {
                _armed = false;
                _ = _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        lock (_gate)
        {
            _armed = false;
            _timer?.Dispose();
            _timer = null;
        }

        _step.Dispose();
    }

    private void OnTimer()
    {
        CancellationTokenSource step;
        lock (_gate)
        {
            if (!_armed)
            {
                return;     // the step ended as the timer fired
            }

            (_armed, _spent, _timedOut, step) = (false, true, true, _step);
        }

        step.Cancel();      // outside the lock: the token's callbacks may run anything
    }

    private void OnCallerCancelled()
    {
        try
        {
            Volatile.Read(ref _step).Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run ended and released its source as the caller cancelled: nothing left to stop.
        }
    }
}
