using System.Diagnostics;

namespace AgentIM.Cli;

/// <summary>
/// Send-to-receipt latencies in 10 µs buckets up to 2 s (anything slower lands in the last bucket, the maximum is
/// kept exactly). Recorded from every receiving socket at once, so buckets are incremented atomically.
/// </summary>
internal sealed class CapacityProbeLatency
{
    private const long BucketMicros = 10;
    private const int BucketCount = 200_000;

    private readonly long[] _buckets = new long[BucketCount];
    private long _count;
    private long _maxTicks;

    public long Count => Interlocked.Read(ref _count);

    public void Record(long sentAtTimestamp, long receivedAtTimestamp)
    {
        var ticks = Math.Max(0, receivedAtTimestamp - sentAtTimestamp);
        var micros = ticks * 1_000_000 / Stopwatch.Frequency;
        Interlocked.Increment(ref _buckets[Math.Min(micros / BucketMicros, BucketCount - 1)]);
        Interlocked.Increment(ref _count);
        var max = Interlocked.Read(ref _maxTicks);
        while (ticks > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxTicks, ticks, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    public double MaxMs => Interlocked.Read(ref _maxTicks) * 1000.0 / Stopwatch.Frequency;

    /// <summary>The upper edge of the bucket that holds the given quantile (0–1), in milliseconds; 0 with no samples.</summary>
    public double QuantileMs(double quantile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                return Math.Min((i + 1) * BucketMicros / 1000.0, MaxMs);
            }
        }

        return MaxMs;
    }
}
