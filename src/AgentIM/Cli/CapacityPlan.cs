namespace AgentIM.Cli;

/// <summary>
/// <c>agentim capacity plan --json</c>. Field names are stable (scripts read them). TierMaxUsers is the seed tier
/// the figures come from.
/// </summary>
public sealed record CapacityPlan(
    int Users,
    int Rooms,
    int TierMaxUsers,
    HardwarePlan Hardware,
    PostgresPlan Postgres,
    RedisPlan Redis,
    WebSocketPlan WebSockets,
    UploadPlan UploadsPerMonth);

public sealed record HardwarePlan(int Vcpu, int RamGb, int DiskGb, string Notes);

public sealed record PostgresPlan(int MaxConnections, int SharedBuffersMb, int WorkMemMb, int DataDiskGb);

/// <summary>Estimated Redis memory, in KB, with the share of each component.</summary>
public sealed record RedisPlan(
    int EstimateKb, int InstanceMb, double SessionsKb, double SubscriptionsKb, double ChannelsKb, double TypingKb, double RevocationsKb);

public sealed record WebSocketPlan(int ExpectedConnections, int OpenFileLimit);

public sealed record UploadPlan(string Light, string Moderate, string Heavy);
