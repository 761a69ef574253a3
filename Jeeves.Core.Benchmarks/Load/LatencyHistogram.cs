using System.Diagnostics;
using System.Numerics;

namespace Jeeves.Benchmarks.Load;

/// <summary>
/// A log-linear latency histogram in the style of HdrHistogram: values below 128 ns have their own bucket, and every
/// power of two above is split into 128 equal buckets, so a reported percentile is within 1/128 (0.8 %) of the true
/// value. Recording is one array increment; the 64 KiB of counts are allocated once, per connection.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;

    // 64 exponents of 128 sub-buckets cover every non-negative long.
    private readonly long[] _counts = new long[64 * SubBucketCount];

    /// <summary>Gets the number of recorded values.</summary>
    public long Count { get; private set; }

    /// <summary>Converts a Stopwatch tick interval to nanoseconds.</summary>
    public static long TicksToNanoseconds(long ticks) =>
        Stopwatch.Frequency == 1_000_000_000 ? ticks : (long)(ticks * (1e9 / Stopwatch.Frequency));

    /// <summary>Records one latency, in nanoseconds.</summary>
    public void Record(long nanoseconds)
    {
        _counts[IndexOf(Math.Max(nanoseconds, 0))]++;
        Count++;
    }

    /// <summary>Adds another histogram's counts to this one.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
    }

    /// <summary>Returns the value at <paramref name="percentile"/> (0–100) in nanoseconds: the midpoint of its bucket; 0 when empty.</summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        // The rank of the value, 1-based: p50 of 10 values is the 5th, p99.9 of 1000 values is the 999th.
        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * Count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                (long low, long width) = BucketOf(i);
                return low + (width / 2);
            }
        }

        (long lastLow, _) = BucketOf(_counts.Length - 1);
        return lastLow;
    }

    private static int IndexOf(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }

        int highestBit = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = highestBit - SubBucketBits;
        int sub = (int)(value >> shift); // 128..255
        return ((shift + 1) * SubBucketCount) + (sub - SubBucketCount);
    }

    private static (long Low, long Width) BucketOf(int index)
    {
        if (index < SubBucketCount)
        {
            return (index, 1);
        }

        int shift = (index / SubBucketCount) - 1;
        long sub = (index % SubBucketCount) + SubBucketCount;
        return (sub << shift, 1L << shift);
    }
}
