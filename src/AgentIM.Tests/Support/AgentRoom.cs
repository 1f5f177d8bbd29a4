namespace AgentIM.Tests.Support;

/// <summary>
/// The usual stage of a realtime test: a fresh user who owns a room and a gateway hosting the named agents, all
/// of them members of the room. Ids are unique per call, so tests sharing a hub never see each other's data.
/// </summary>
public sealed class AgentRoom : IAsyncDisposable
{
    private AgentRoom(Session owner, string roomId, string gatewayId, WsPeer gateway, IReadOnlyDictionary<string, string> agentIds)
    {
        Owner = owner;
        RoomId = roomId;
        GatewayId = gatewayId;
        Gateway = gateway;
        AgentIds = agentIds;
    }

    public Session Owner { get; }
    public string RoomId { get; }
    public string GatewayId { get; }
    public WsPeer Gateway { get; }

    /// <summary>Agent id by agent name.</summary>
    public IReadOnlyDictionary<string, string> AgentIds { get; }

    public static async Task<AgentRoom> CreateAsync(HubFixture hub, params string[] agentNames)
    {
        var owner = await TestUsers.CreateAsync(hub, "alice");
        var roomId = await owner.CreateRoomAsync("agents");
        var agentIds = agentNames.ToDictionary(name => name, _ => Unique.Id("ag"));
        var gatewayId = Unique.Id("gw");
        var gateway = await WsPeer.GatewayAsync(owner, gatewayId, agentIds.Select(a => (a.Value, a.Key)).ToArray());
        foreach (var agentId in agentIds.Values)
        {
            await owner.AddMemberAsync(roomId, agentId, "agent");
        }

        return new AgentRoom(owner, roomId, gatewayId, gateway, agentIds);
    }

    public ValueTask DisposeAsync() => Gateway.DisposeAsync();
}
