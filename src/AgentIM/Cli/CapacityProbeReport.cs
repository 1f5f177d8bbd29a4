using System.Globalization;
using System.Text;

namespace AgentIM.Cli;

/// <summary>
/// What <c>agentim capacity probe</c> measured, with the targets of issue #4 beside it. Sizes are decimal
/// (1 MB = 1,000,000 bytes, 1 KB = 1,000 bytes), as the targets are written. The JSON names are stable.
/// </summary>
public sealed record CapacityProbeReport
{
    public const double IdleRssTargetMb = 40;
    public const double SocketsRssTargetMb = 60;
    public const int SocketsTargetCount = 1000;
    public const double DeliveriesTargetPerSecond = 60_000;
    public const double LatencyP99TargetMs = 50;

    public required string HubUrl { get; init; }

    /// <summary>Where RSS was read: <c>/proc/PID/status</c> or the hub's <c>process_rss_bytes</c> metric.</summary>
    public required string RssSource { get; init; }

    public required CapacityProbeIdle Idle { get; init; }
    public required CapacityProbeLoad Load { get; init; }

    /// <summary>The text table: measured value, target and measured/target per line.</summary>
    public string ToTable()
    {
        var lines = new List<(string Name, string Value, string Target, string Ratio)>
        {
            ("idle RSS", Mb(Idle.IdleRssBytes), $"<= {IdleRssTargetMb} MB", Ratio(Idle.IdleRssBytes / 1e6, IdleRssTargetMb)),
            ($"RSS with {Idle.Sockets} idle sockets", Mb(Idle.RssWithSocketsBytes),
                $"<= {SocketsRssTargetMb} MB at {SocketsTargetCount}", Ratio(Idle.RssWithSocketsBytes / 1e6, SocketsRssTargetMb)),
            ("  per idle socket", $"{Idle.KbPerSocket:0.0} KB", "", ""),
            ("  RSS before the sockets", Mb(Idle.RssBeforeSocketsBytes), "", ""),
            ($"messages stored/s ({Load.Clients} clients)", $"{Load.MessagesPerSecond:#,0}", "", ""),
            ("deliveries/s", $"{Load.DeliveriesPerSecond:#,0}", $">= {DeliveriesTargetPerSecond:#,0}",
                Ratio(Load.DeliveriesPerSecond, DeliveriesTargetPerSecond)),
            ("latency p50 send->receipt", $"{Load.LatencyP50Ms:0.0} ms", "", ""),
            ("latency p99 send->receipt", $"{Load.LatencyP99Ms:0.0} ms", $"<= {LatencyP99TargetMs} ms",
                Ratio(Load.LatencyP99Ms, LatencyP99TargetMs)),
            ("latency max", $"{Load.LatencyMaxMs:0.0} ms", "", ""),
            ("RSS under load", Mb(Load.RssUnderLoadBytes), "", ""),
            ("hub CPU during the load", Load.HubCpuSeconds > 0 ? $"{Load.HubCpuSeconds / Load.Seconds:0.00} core" : "(--hub-pid)", "", ""),
            ("deliveries per hub CPU-second", Load.HubCpuSeconds > 0 ? $"{Load.DeliveriesPerHubCpuSecond:#,0}" : "(--hub-pid)",
                $">= {DeliveriesTargetPerSecond:#,0}",
                Load.HubCpuSeconds > 0 ? Ratio(Load.DeliveriesPerHubCpuSecond, DeliveriesTargetPerSecond) : ""),
            ("errors from the hub", Load.FirstError is null ? "0" : $"{Load.Errors} ({Load.FirstError})", "0", ""),
        };

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"AgentIM capacity probe of {HubUrl} (RSS from {RssSource}; MB = 10^6 bytes)\n");
        text.Append(CultureInfo.InvariantCulture, $"{"measure",-38} {"value",12}  {"target",-22} {"value/target",12}\n");
        foreach (var (name, value, target, ratio) in lines)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name,-38} {value,12}  {target,-22} {ratio,12}\n");
        }

        text.Append(CultureInfo.InvariantCulture,
            $"load: {Load.Seconds:0.0} s measured after {Load.WarmupSeconds:0.0} s of warm-up, "
            + $"{Load.InFlight} message(s) in flight per client, "
            + $"{Load.MessagesStored} messages, {Load.Deliveries} deliveries\n");
        return text.ToString();
    }

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB");

    private static string Ratio(double measured, double target) =>
        target <= 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"{measured / target:0.00}");
}

/// <summary>Phase (a): the hub at rest, then holding N authenticated client sockets that say nothing.</summary>
public sealed record CapacityProbeIdle(
    long IdleRssBytes, int Sockets, long RssBeforeSocketsBytes, long RssWithSocketsBytes, double KbPerSocket, double ConnectSeconds);

/// <summary>Phase (b): one room, every client sending <c>client:send_message</c> and receiving every message of the room.</summary>
public sealed record CapacityProbeLoad(
    int Clients,
    int InFlight,
    double WarmupSeconds,
    double Seconds,
    long MessagesStored,
    double MessagesPerSecond,
    long Deliveries,
    double DeliveriesPerSecond,
    double LatencyP50Ms,
    double LatencyP99Ms,
    double LatencyMaxMs,
    long Errors,
    string? FirstError,
    long RssUnderLoadBytes,
    double HubCpuSeconds,
    double DeliveriesPerHubCpuSecond);
