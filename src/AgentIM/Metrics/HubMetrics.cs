namespace AgentIM.Metrics;

/// <summary>
/// The hub's counters, kept as plain interlocked longs: incremented on hot paths, read only when scraped.
/// Gauges (connections, rooms, memory) are read from their owners at scrape time instead of being tracked here.
/// </summary>
public sealed class HubMetrics
{
    private long _userMessages;
    private long _agentMessages;
    private long _wsMessagesIn;
    private long _wsMessagesOut;
    private long _apiErrors;
    private long _droppedGatewayFrames;

    public DateTime StartedAt { get; } = DateTime.UtcNow;

    public Histogram AgentResponseDuration { get; } = new([0.1, 0.5, 1, 5, 10, 30, 60, 120]);

    public long UserMessages => Interlocked.Read(ref _userMessages);
    public long AgentMessages => Interlocked.Read(ref _agentMessages);
    public long WsMessagesIn => Interlocked.Read(ref _wsMessagesIn);
    public long WsMessagesOut => Interlocked.Read(ref _wsMessagesOut);
    public long ApiErrors => Interlocked.Read(ref _apiErrors);
    public long DroppedGatewayFrames => Interlocked.Read(ref _droppedGatewayFrames);

    public void UserMessageStored() => Interlocked.Increment(ref _userMessages);
    public void AgentMessageStored() => Interlocked.Increment(ref _agentMessages);
    public void WsMessageIn() => Interlocked.Increment(ref _wsMessagesIn);
    public void WsMessagesSent(int count) => Interlocked.Add(ref _wsMessagesOut, count);
    public void ApiError() => Interlocked.Increment(ref _apiErrors);
    public void GatewayFrameDropped() => Interlocked.Increment(ref _droppedGatewayFrames);
}
