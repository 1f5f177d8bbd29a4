using AgentIM.Tests.Support;

namespace AgentIM.Tests.Rooms;

/// <summary>
/// REST changes to a room reach its connected agents as a fresh <c>server:room_context</c> (websocket.md,
/// rest-api.md #29, #31, #55): a new member, a removed member, new settings and a deleted agent.
/// </summary>
public sealed class RoomContextOnChangeTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task AddMember_ThroughRest_AgentGetsContextWithTheNewMember()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var bob = await TestUsers.CreateAsync(hub, "bob");

        await stage.Owner.AddMemberAsync(stage.RoomId, bob.UserId, "user");

        var frame = await stage.Gateway.WaitForAsync(
            "server:room_context",
            f => f["context"]!["members"]!.AsArray().Any(m => m!["id"]!.GetValue<string>() == bob.UserId));
        Assert.Equal(stage.AgentIds["dev"], frame["agentId"]!.GetValue<string>());
        Assert.Equal(stage.RoomId, frame["context"]!["roomId"]!.GetValue<string>());
    }

    [Fact]
    public async Task RemoveMember_ThroughRest_AgentGetsContextWithoutThem()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await stage.Owner.AddMemberAsync(stage.RoomId, bob.UserId, "user");
        await stage.Gateway.WaitForAsync(
            "server:room_context", f => f["context"]!["members"]!.AsArray().Any(m => m!["id"]!.GetValue<string>() == bob.UserId));
        // The context sent when the agent itself joined had no bob either: take it out of the way first.
        await stage.Gateway.WaitForAsync(
            "server:room_context", f => f["context"]!["members"]!.AsArray().All(m => m!["id"]!.GetValue<string>() != bob.UserId));

        var (status, _) = await stage.Owner.DeleteAsync($"/api/rooms/{stage.RoomId}/members/{bob.UserId}");

        Assert.Equal(200, status);
        await stage.Gateway.WaitForAsync(
            "server:room_context", f => f["context"]!["members"]!.AsArray().All(m => m!["id"]!.GetValue<string>() != bob.UserId));
    }

    [Fact]
    public async Task UpdateRoom_SystemPrompt_AgentGetsContextWithTheNewPrompt()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");

        var (status, _) = await stage.Owner.PutAsync($"/api/rooms/{stage.RoomId}", new { name = "renamed", systemPrompt = "be terse" });

        Assert.Equal(200, status);
        var frame = await stage.Gateway.WaitForAsync(
            "server:room_context", f => f["context"]!["systemPrompt"]?.GetValue<string>() == "be terse");
        Assert.Equal("renamed", frame["context"]!["roomName"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeleteAgent_ThroughRest_TheRoomsOtherAgentsGetContextWithoutIt()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev", "qa");
        var qa = stage.AgentIds["qa"];
        var dev = stage.AgentIds["dev"];
        await stage.Gateway.WaitForAsync(
            "server:room_context", f => f["agentId"]!.GetValue<string>() == dev && HasMember(f, qa));
        // The context sent when dev joined, before qa did, must not pass for the one after the deletion.
        await stage.Gateway.WaitForAsync(
            "server:room_context", f => f["agentId"]!.GetValue<string>() == dev && !HasMember(f, qa));

        var (status, _) = await stage.Owner.DeleteAsync($"/api/agents/{qa}");

        Assert.Equal(200, status);
        var frame = await stage.Gateway.WaitForAsync(
            "server:room_context",
            f => f["agentId"]!.GetValue<string>() == dev && !HasMember(f, qa));
        Assert.Equal(stage.RoomId, frame["context"]!["roomId"]!.GetValue<string>());
    }

    private static bool HasMember(System.Text.Json.Nodes.JsonObject frame, string id) =>
        frame["context"]!["members"]!.AsArray().Any(m => m!["id"]!.GetValue<string>() == id);
}
