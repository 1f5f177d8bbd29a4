namespace AgentIM.Metrics;

/// <summary>
/// A fixed-bucket histogram updated lock-free: one counter per bucket (not cumulative; made cumulative when
/// written), a count, and a sum kept in microseconds so it can be added atomically.
/// </summary>
public sealed class Histogram(double[] bounds)
{
    private readonly long[] _buckets = new long[bounds.Length + 1];
    private long _count;
    private long _sumMicros;

    public IReadOnlyList<double> Bounds => bounds;

    public void Observe(double seconds)
    {
        var index = 0;
        while (index < bounds.Length && seconds > bounds[index])
        {
            index++;
        }

        Interlocked.Increment(ref _buckets[index]);
        Interlocked.Add(ref _sumMicros, (long)(seconds * 1_000_000));
        Interlocked.Increment(ref _count);
    }

    /// <summary>Cumulative counts per bound, then +Inf; the last equals the count.</summary>
    public (long[] Cumulative, long Count, double Sum) Snapshot()
    {
        var cumulative = new long[_buckets.Length];
        long running = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            running += Interlocked.Read(ref _buckets[i]);
            cumulative[i] = running;
        }

        return (cumulative, running, Interlocked.Read(ref _sumMicros) / 1_000_000.0);
    }
}
