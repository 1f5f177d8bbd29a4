using AgentIM.Tests.Support;

namespace AgentIM.Tests.Agents;

/// <summary>An agent deleted while its gateway was away is told to go when the gateway comes back (behaviour.md §6.2).</summary>
public sealed class DeletedAgentReturnsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task RegisterAgent_DeletedWhileGatewayOffline_AnsweredWithRemoveAgentAndNotRecreated()
    {
        var owner = await hub.CreateUserAsync("tomb");
        var gatewayId = $"gw-{Guid.NewGuid():N}"[..20];
        var agentId = $"ag-{Guid.NewGuid():N}"[..20];
        await using (var first = await WsPeer.GatewayAsync(owner, gatewayId, (agentId, "ghost")))
        {
        }

        var (deleted, body) = await owner.DeleteAsync($"/api/agents/{agentId}");
        Assert.True(deleted == 200, $"delete: {deleted} {body}");

        await using var again = await WsPeer.GatewayAsync(owner, gatewayId, (agentId, "ghost"));
        var remove = await again.WaitForAsync("server:remove_agent");
        Assert.Equal(agentId, remove["agentId"]!.GetValue<string>());

        var (status, _) = await owner.GetAsync($"/api/agents/{agentId}");
        Assert.Equal(404, status);
    }
}
