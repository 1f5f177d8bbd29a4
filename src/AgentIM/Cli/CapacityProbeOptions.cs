namespace AgentIM.Cli;

/// <summary>What <c>agentim capacity probe</c> was asked to do. Seconds are wall-clock.</summary>
public sealed record CapacityProbeOptions
{
    public required Uri HubUrl { get; init; }
    public required string AdminUsername { get; init; }
    public required string AdminPassword { get; init; }

    /// <summary>Idle authenticated client sockets of phase (a).</summary>
    public int Sockets { get; init; } = 1000;

    /// <summary>Clients of phase (b), all joined to one room, all sending.</summary>
    public int Clients { get; init; } = 50;

    public double LoadSeconds { get; init; } = 10;
    public double WarmupSeconds { get; init; } = 2;

    /// <summary>Messages a client may have sent and not yet seen come back.</summary>
    public int InFlight { get; init; } = 1;

    /// <summary>How long RSS is left to settle before it is read.</summary>
    public double SettleSeconds { get; init; } = 3;

    /// <summary>Read RSS from /proc/PID/status instead of the hub's metrics (the hub must run on this machine).</summary>
    public int? HubPid { get; init; }
}
