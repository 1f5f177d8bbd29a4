namespace AgentIM.Metrics;

/// <summary><c>GET /api/admin/metrics</c> data (rest-api.md #3); the JSON names are the contract's and stable.</summary>
public sealed record AdminMetrics(
    AdminConnections Connections,
    AdminProcess Process,
    AdminInfrastructure Infrastructure,
    AdminActivity Activity,
    AdminPerformance Performance,
    DateTime Timestamp);

public sealed record AdminConnections(int Clients, int Gateways, int OnlineUsers, int ConnectedAgents);

public sealed record AdminProcess(double UptimeSeconds, long HeapUsedBytes, long RssBytes);

public sealed record AdminInfrastructure(bool RedisEnabled);

/// <summary><c>messagesTotal</c> holds every counter, keyed by its Prometheus name and labels.</summary>
public sealed record AdminActivity(Dictionary<string, long> MessagesTotal, int ActiveRooms);

public sealed record AdminPerformance(HistogramSnapshot AgentResponse, Dictionary<string, HistogramSnapshot> HttpRequest);

/// <summary>
/// A histogram as JSON: <c>buckets</c> are the upper bounds, <c>counts</c> the observations per bucket (not
/// cumulative) with one more entry for the observations above the last bound. Percentiles are the upper bound of
/// the bucket that holds them (the last bound when they fall above it), 0 when nothing was observed.
/// </summary>
public sealed record HistogramSnapshot(
    IReadOnlyList<double> Buckets, IReadOnlyList<long> Counts, double Sum, long Count, double Avg, double P50, double P95, double P99)
{
    public static HistogramSnapshot Of(Histogram histogram)
    {
        var (cumulative, count, sum) = histogram.Snapshot();
        var counts = new long[cumulative.Length];
        for (var i = 0; i < cumulative.Length; i++)
        {
            counts[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
        }

        return new HistogramSnapshot(
            histogram.Bounds,
            counts,
            Math.Round(sum, 6),
            count,
            count == 0 ? 0 : Math.Round(sum / count, 6),
            Percentile(histogram.Bounds, cumulative, count, 0.50),
            Percentile(histogram.Bounds, cumulative, count, 0.95),
            Percentile(histogram.Bounds, cumulative, count, 0.99));
    }

    private static double Percentile(IReadOnlyList<double> bounds, long[] cumulative, long count, double quantile)
    {
        if (count == 0 || bounds.Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(quantile * count);
        for (var i = 0; i < bounds.Count; i++)
        {
            if (cumulative[i] >= rank)
            {
                return bounds[i];
            }
        }

        return bounds[^1];
    }
}
