namespace Jeeves.Benchmarks.Kernel;

/// <summary>
/// The system clock plus an offset that only moves forward. Stepping it past an hour lets one cleanup cycle drop
/// every terminated process and every rate-limit window, which the real clock would keep for an hour.
/// </summary>
internal sealed class SteppedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Volatile.Read(ref _offsetTicks));

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        _ = Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
