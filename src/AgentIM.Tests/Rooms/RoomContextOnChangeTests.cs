using AgentIM.Tests.Support;

namespace AgentIM.Tests.Rooms;

/// <summary>
/// REST changes to a room reach its connected agents as a fresh <c>server:room_context</c> (websocket.md,
/// rest-api.md #29, #31): a new member, a removed member and new settings.
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
}
