namespace AgentIM.Tests.Support;

/// <summary>
/// A hub whose long realtime timers are shortened: permission requests expire within <see cref="PermissionCapMs"/>,
/// workspace requests within <see cref="WorkspaceTimeoutMs"/>, and agents may reply only a few times per window.
/// </summary>
public sealed class ShortTimersHubFixture : HubFixture
{
    public const int PermissionCapMs = 1500;
    public const int WorkspaceTimeoutMs = 1500;
    public const int AgentRateLimitMax = 3;

    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["PERMISSION_TIMEOUT_CAP_MS"] = PermissionCapMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["WORKSPACE_REQUEST_TIMEOUT_MS"] = WorkspaceTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AGENT_RATE_LIMIT_MAX"] = AgentRateLimitMax.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AGENT_RATE_LIMIT_WINDOW"] = "300",
        ["MAX_AGENT_CHAIN_DEPTH"] = "2",
    };
}

/// <summary>A hub that holds at most <see cref="MaxPending"/> permission requests at a time.</summary>
public sealed class FewPendingPermissionsHubFixture : HubFixture
{
    public const int MaxPending = 2;

    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["PERMISSION_MAX_PENDING"] = MaxPending.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>A hub that pings every 300 ms and drops a peer silent for 1.5 s (the seed's 30 s / 90 s, shortened).</summary>
public sealed class FastHeartbeatHubFixture : HubFixture
{
    public const int PingIntervalMs = 300;
    public const int IdleTimeoutMs = 1500;

    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["WS_PING_INTERVAL_MS"] = PingIntervalMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["WS_IDLE_TIMEOUT_MS"] = IdleTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
