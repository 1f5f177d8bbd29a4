namespace AgentIM.Gateway;

/// <summary>
/// One agent the gateway hosts: its registration, its adapter, a bounded queue per room and what is running now.
/// Every field is guarded by the agent itself (<c>lock (agent)</c> in <see cref="AgentHost"/>).
/// </summary>
public sealed class HostedAgent(AgentRegistration registration, IAgentAdapter adapter)
{
    public AgentRegistration Registration { get; } = registration;

    public IAgentAdapter Adapter { get; } = adapter;

    public string Id => Registration.Id;

    /// <summary>Waiting messages by room, in arrival order.</summary>
    public Dictionary<string, Queue<IncomingMessage>> Queues { get; } = [];

    /// <summary>The stop switch of each room's running reply.</summary>
    public Dictionary<string, CancellationTokenSource> Running { get; } = [];

    /// <summary>What the hub last said about each room.</summary>
    public Dictionary<string, RoomInfo> Rooms { get; } = [];

    public bool Removed { get; set; }

    public int QueueDepth => Queues.Values.Sum(q => q.Count);

    /// <summary>True when a message for <paramref name="roomId"/> must wait.</summary>
    public bool IsBusyFor(string roomId) => Adapter.SupportsParallelRooms ? Running.ContainsKey(roomId) : Running.Count > 0;
}
