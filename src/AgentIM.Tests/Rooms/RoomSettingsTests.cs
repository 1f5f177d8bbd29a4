using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Rooms;

/// <summary>
/// <c>PUT</c> and <c>DELETE /api/rooms/:id</c>: who may, the contract's errors, and what sockets see (case B05 for
/// a deletion while an agent streams into the room).
/// </summary>
public sealed class RoomSettingsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task UpdateRoom_AsOwner_ReturnsRoomRowAndMembersSocketsGetRoomUpdate()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("before", cast.Bob.UserId);
        Assert.Equal(200, (await cast.Alice.PutAsync($"/api/rooms/{roomId}", new { systemPrompt = "old prompt" })).Status);
        await using var bob = await WsPeer.ClientAsync(cast.Bob, roomId);

        var (status, body) = await cast.Alice.PutAsync(
            $"/api/rooms/{roomId}", new { name = "<b>after</b>", broadcastMode = true, agentCommandRole = "admin", type = "private" });

        Assert.Equal(200, status);
        var room = body!["data"]!.AsObject();
        Assert.Equal(roomId, room["id"]!.GetValue<string>());
        Assert.Equal("after", room["name"]!.GetValue<string>());
        Assert.True(room["broadcastMode"]!.GetValue<bool>());
        Assert.Equal("admin", room["agentCommandRole"]!.GetValue<string>());
        Assert.Equal("group", room["type"]!.GetValue<string>());
        Assert.Equal("old prompt", room["systemPrompt"]!.GetValue<string>());
        Assert.Matches(Timestamps.IsoUtcMillis, room["updatedAt"]!.GetValue<string>());
        var update = await bob.WaitForAsync("server:room_update", f => f["room"]!["name"]!.GetValue<string>() == "after", Deadline);
        Assert.Equal(2, update["members"]!.AsArray().Count);
    }

    [Fact]
    public async Task UpdateRoom_ExplicitNullSystemPrompt_ClearsItAbsentKeyKeepsIt()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("prompted");
        await cast.Alice.PutAsync($"/api/rooms/{roomId}", new { systemPrompt = "be brief" });

        var kept = (await cast.Alice.PutAsync($"/api/rooms/{roomId}", new { name = "renamed" })).Body!["data"]!;
        var explicitNull = JsonNode.Parse("""{"systemPrompt":null}""");
        var cleared = (await cast.Alice.SendAsync(HttpMethod.Put, $"/api/rooms/{roomId}", explicitNull)).Body!["data"]!;

        Assert.Equal("be brief", kept["systemPrompt"]!.GetValue<string>());
        Assert.Null(cleared["systemPrompt"]);
        Assert.Equal("renamed", cleared["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateRoom_AsRoomAdmin_Allowed()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("shared");
        var added = await cast.Alice.PostAsync(
            $"/api/rooms/{roomId}/members", new { memberId = cast.Bob.UserId, memberType = "user", role = "admin" });
        Assert.Equal(201, added.Status);

        var (status, body) = await cast.Bob.PutAsync($"/api/rooms/{roomId}", new { name = "by admin" });

        Assert.Equal(200, status);
        Assert.Equal("by admin", body!["data"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateRoom_PlainMember_Returns403AndOutsider404()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("guarded", cast.Bob.UserId);

        var (memberStatus, memberBody) = await cast.Bob.PutAsync($"/api/rooms/{roomId}", new { name = "hijack" });
        var (outsiderStatus, outsiderBody) = await cast.Carol.PutAsync($"/api/rooms/{roomId}", new { name = "hijack" });

        Assert.Equal(403, memberStatus);
        Assert.Equal("Only room owner or admin can update settings", memberBody!["error"]!.GetValue<string>());
        Assert.Equal(404, outsiderStatus);
        Assert.Equal("Room not found", outsiderBody!["error"]!.GetValue<string>());
        Assert.Equal("guarded", (await cast.Alice.GetAsync($"/api/rooms/{roomId}")).Body!["data"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateRoom_InvalidInput_Returns400()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("strict");

        var (blankStatus, blankBody) = await cast.Alice.PutAsync($"/api/rooms/{roomId}", new { name = "   " });
        var (roleStatus, roleBody) = await cast.Alice.PutAsync($"/api/rooms/{roomId}", new { agentCommandRole = "boss" });
        var (idStatus, idBody) = await cast.Alice.PutAsync("/api/rooms/bad.id", new { name = "x" });
        var (routerStatus, routerBody) = await cast.Alice.PutAsync($"/api/rooms/{roomId}", new { routerId = "no-such-router" });

        Assert.Equal(400, blankStatus);
        Assert.Equal("validation.nameWhitespace", blankBody!["fields"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(400, roleStatus);
        Assert.Equal("agentCommandRole", roleBody!["fields"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(400, idStatus);
        Assert.Equal("Invalid parameter: id", idBody!["error"]!.GetValue<string>());
        Assert.Equal(404, routerStatus);
        Assert.Equal("Router not found", routerBody!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeleteRoom_NotCreator_Returns403EvenForRoomAdminOutsider404()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("kept");
        await cast.Alice.PostAsync($"/api/rooms/{roomId}/members", new { memberId = cast.Bob.UserId, memberType = "user", role = "admin" });

        var (adminStatus, adminBody) = await cast.Bob.DeleteAsync($"/api/rooms/{roomId}");
        var (outsiderStatus, outsiderBody) = await cast.Carol.DeleteAsync($"/api/rooms/{roomId}");
        var (missingStatus, _) = await cast.Alice.DeleteAsync("/api/rooms/no-such-room");

        Assert.Equal(403, adminStatus);
        Assert.Equal("Only room creator can delete", adminBody!["error"]!.GetValue<string>());
        Assert.Equal(404, outsiderStatus);
        Assert.Equal("Room not found", outsiderBody!["error"]!.GetValue<string>());
        Assert.Equal(404, missingStatus);
        Assert.Equal(200, (await cast.Alice.GetAsync($"/api/rooms/{roomId}")).Status);
    }

    /// <summary>Case B05: delete while an agent streams; everyone is told, the stream is refused, nothing is left behind.</summary>
    [Fact]
    public async Task DeleteRoom_WhileAgentStreams_MembersToldStreamRefusedNoRowsOrFilesLeft()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var cast = await RoomCast.OfAsync(hub);
        var agentId = stage.AgentIds["dev"];
        await stage.Owner.AddMemberAsync(stage.RoomId, cast.Bob.UserId, "user");
        var otherRoom = await stage.Owner.CreateRoomAsync("R5");
        await stage.Owner.AddMemberAsync(otherRoom, agentId, "agent");
        await using var alice = await WsPeer.ClientAsync(stage.Owner, stage.RoomId, otherRoom);
        await using var aliceSecond = await WsPeer.ClientAsync(stage.Owner);
        await using var bob = await WsPeer.ClientAsync(cast.Bob, stage.RoomId);
        var file = Path.Combine(hub.Config.UploadDir, $"{Unique.Id("att")}.txt");
        await File.WriteAllTextAsync(file, "attached");
        await bob.SendMessageAsync(stage.RoomId, "@dev write a long answer");
        var question = (await alice.WaitForAsync("server:new_message"))["message"]!["id"]!.GetValue<string>();
        await TestSql.ExecuteAsync(
            hub,
            "INSERT INTO message_attachments (id, message_id, filename, mime_type, size, url, uploaded_by, created_at) "
            + "VALUES ($1, $2, 'a.txt', 'text/plain', 8, $3, $4, now())",
            Unique.Id("att"), question, "/uploads/" + Path.GetFileName(file), cast.Bob.UserId);
        var reply = Unique.Id("resp-del");
        for (var i = 0; i < 5; i++)
        {
            await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, reply, $"part {i} "));
        }

        await bob.WaitForAsync("server:message_chunk", f => f["chunk"]!["content"]!.GetValue<string>() == "part 4 ");

        var (status, body) = await stage.Owner.DeleteAsync($"/api/rooms/{stage.RoomId}");

        Assert.True(status == 200, $"delete: {status} {body}");
        Assert.True(body!["ok"]!.GetValue<bool>());
        foreach (var socket in new[] { alice, aliceSecond, bob })
        {
            var removed = await socket.WaitForAsync("server:room_removed", null, Deadline);
            Assert.Equal(stage.RoomId, removed["roomId"]!.GetValue<string>());
        }

        for (var i = 0; i < 10; i++)
        {
            await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, reply, $"late {i} "));
        }

        await stage.Gateway.ExpectErrorAsync("ROOM_NOT_FOUND", "Room not found");
        await stage.Gateway.SendAsync(
            new { type = "gateway:message_complete", roomId = stage.RoomId, agentId, messageId = reply, fullContent = "done" });
        var liveReply = Unique.Id("resp-live");
        await stage.Gateway.SendAsync(Chunk(otherRoom, agentId, liveReply, "elsewhere"));
        var live = await alice.WaitForAsync("server:message_chunk", f => f["roomId"]!.GetValue<string>() == otherRoom);
        Assert.Equal(liveReply, live["messageId"]!.GetValue<string>());
        await bob.PingAsync();
        await aliceSecond.PingAsync();

        foreach (var socket in new[] { alice, bob })
        {
            var frames = socket.Received
                .Select(f => f["type"]!.GetValue<string>() + ":" + (f["roomId"]?.GetValue<string>() ?? ""))
                .ToList();
            var removedAt = frames.IndexOf("server:room_removed:" + stage.RoomId);
            Assert.DoesNotContain("server:message_chunk:" + stage.RoomId, frames.Skip(removedAt + 1));
        }

        Assert.DoesNotContain(
            bob.All("server:message_chunk"), f => f["chunk"]!["content"]!.GetValue<string>().StartsWith("late", StringComparison.Ordinal));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE room_id = $1 OR id = $2", stage.RoomId, reply));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM room_members WHERE room_id = $1", stage.RoomId));
        Assert.Equal(404, (await stage.Owner.GetAsync($"/api/rooms/{stage.RoomId}")).Status);
        Assert.Contains((await cast.Bob.GetAsync($"/api/messages/rooms/{stage.RoomId}")).Status, new[] { 403, 404 });
        Assert.False(File.Exists(file));
        Assert.DoesNotContain(stage.Gateway.All("server:error"), e => e["code"]!.GetValue<string>() == "INTERNAL_ERROR");
    }

    private static object Chunk(string roomId, string agentId, string messageId, string content) =>
        new { type = "gateway:message_chunk", roomId, agentId, messageId, chunk = new { type = "text", content } };
}
