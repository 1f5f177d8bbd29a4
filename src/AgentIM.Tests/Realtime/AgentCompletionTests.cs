using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Agent replies as stored messages: a completion is stored once per (agent, messageId) and a retry after a
/// reconnect updates it in place (case B03); it never overwrites someone else's message (decisions.md); a stream
/// into a room that is gone is answered with ROOM_NOT_FOUND rather than silence, and the gateway keeps working (B05).
/// </summary>
public sealed class AgentCompletionTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task B03_Completion_ResentAfterReconnect_OneMessageWithLastContentAndSameId()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var replyId = Unique.Id("resp-0001");
        await client.SendMessageAsync(stage.RoomId, "@dev hello");
        var userMessageId = (await stage.Gateway.WaitForAsync("server:send_to_agent"))["messageId"]!.GetValue<string>();

        foreach (var piece in new[] { "ans", "wer", " v1" })
        {
            await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, replyId, piece));
        }

        await stage.Gateway.SendAsync(Complete(stage.RoomId, agentId, replyId, "answer v1"));
        await client.WaitForAsync("server:message_complete");
        stage.Gateway.Abort();
        await using var reconnected = await WsPeer.GatewayAsync(stage.Owner, stage.GatewayId, (agentId, "dev"));
        await reconnected.SendAsync(Complete(stage.RoomId, agentId, replyId, "answer v1"));
        await reconnected.SendAsync(Complete(stage.RoomId, agentId, replyId, "answer v2"));

        await client.WaitForAsync("server:message_complete", f => f["message"]!["content"]!.GetValue<string>() == "answer v2");
        var completes = client.All("server:message_complete").Select(f => f["message"]!).ToList();
        Assert.Equal(3, completes.Count);
        Assert.All(completes, m => Assert.Equal(replyId, m["id"]!.GetValue<string>()));
        Assert.Single(completes.Select(m => m["createdAt"]!.GetValue<string>()).Distinct());
        var items = await HistoryAsync(stage.Owner, stage.RoomId);
        Assert.Equal([replyId, userMessageId], items.Select(m => m["id"]!.GetValue<string>()));
        Assert.Equal("answer v2", items[0]["content"]!.GetValue<string>());
        Assert.Equal(agentId, items[0]["senderId"]!.GetValue<string>());
        await reconnected.PingAsync("gateway:ping");
        Assert.Empty(stage.Gateway.All("server:error"));
        Assert.Empty(reconnected.All("server:error"));
    }

    [Fact]
    public async Task Completion_MessageIdOfUserMessage_NeverOverwritesIt()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await client.SendMessageAsync(stage.RoomId, "@dev hi");
        var userMessageId = (await stage.Gateway.WaitForAsync("server:send_to_agent"))["messageId"]!.GetValue<string>();

        await stage.Gateway.SendAsync(Complete(stage.RoomId, agentId, userMessageId, "hijacked"));

        var complete = (await client.WaitForAsync("server:message_complete"))["message"]!;
        Assert.NotEqual(userMessageId, complete["id"]!.GetValue<string>());
        Assert.Equal("hijacked", complete["content"]!.GetValue<string>());
        Assert.Equal(agentId, complete["senderId"]!.GetValue<string>());
        var items = await HistoryAsync(stage.Owner, stage.RoomId);
        var user = Assert.Single(items, m => m["id"]!.GetValue<string>() == userMessageId);
        Assert.Equal("@dev hi", user["content"]!.GetValue<string>());
        Assert.Equal("user", user["senderType"]!.GetValue<string>());
        Assert.Equal(stage.Owner.UserId, user["senderId"]!.GetValue<string>());
        Assert.Single(items, m => m["content"]!.GetValue<string>() == "hijacked");
    }

    [Fact]
    public async Task Completion_MessageIdOfAnotherAgentsReply_NeverOverwritesIt()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev", "qa");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var replyId = Unique.Id("resp");
        await stage.Gateway.SendAsync(Complete(stage.RoomId, stage.AgentIds["qa"], replyId, "qa answer"));
        await client.WaitForAsync("server:message_complete");

        await stage.Gateway.SendAsync(Complete(stage.RoomId, stage.AgentIds["dev"], replyId, "dev answer"));

        var devReply = (await client.WaitForAsync("server:message_complete"))["message"]!;
        Assert.NotEqual(replyId, devReply["id"]!.GetValue<string>());
        var items = await HistoryAsync(stage.Owner, stage.RoomId);
        var qaReply = Assert.Single(items, m => m["id"]!.GetValue<string>() == replyId);
        Assert.Equal("qa answer", qaReply["content"]!.GetValue<string>());
        Assert.Equal(stage.AgentIds["qa"], qaReply["senderId"]!.GetValue<string>());
        Assert.Equal(2, items.Count);
    }

    [Fact]
    public async Task Completion_SameIdInAnotherRoom_DoesNotMoveOrOverwriteTheFirst()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        var otherRoom = await stage.Owner.CreateRoomAsync("second");
        await stage.Owner.AddMemberAsync(otherRoom, agentId, "agent");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId, otherRoom);
        var replyId = Unique.Id("resp");
        await stage.Gateway.SendAsync(Complete(stage.RoomId, agentId, replyId, "first room"));
        await client.WaitForAsync("server:message_complete");

        await stage.Gateway.SendAsync(Complete(otherRoom, agentId, replyId, "second room"));

        var second = (await client.WaitForAsync("server:message_complete"))["message"]!;
        Assert.Equal(otherRoom, second["roomId"]!.GetValue<string>());
        Assert.NotEqual(replyId, second["id"]!.GetValue<string>());
        var first = Assert.Single(await HistoryAsync(stage.Owner, stage.RoomId));
        Assert.Equal("first room", first["content"]!.GetValue<string>());
        Assert.Equal("second room", Assert.Single(await HistoryAsync(stage.Owner, otherRoom))["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task B05_Chunk_RoomDeleted_RoomNotFoundAndGatewayStillStreamsIntoAnotherRoom()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        var otherRoom = await stage.Owner.CreateRoomAsync("R5");
        await stage.Owner.AddMemberAsync(otherRoom, agentId, "agent");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId, otherRoom);
        var lostReply = Unique.Id("resp-del");
        var liveReply = Unique.Id("resp-live");

        // The REST delete route is not built yet; fixture SQL removes the room as it will.
        Assert.Equal(1, await TestSql.ExecuteAsync(hub, "DELETE FROM rooms WHERE id = $1", stage.RoomId));
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, lostReply, "into the void"));
        await stage.Gateway.ExpectErrorAsync("ROOM_NOT_FOUND", "Room not found");
        await stage.Gateway.SendAsync(Complete(stage.RoomId, agentId, lostReply, "into the void"));
        await stage.Gateway.ExpectErrorAsync("ROOM_NOT_FOUND", "Room not found");
        await stage.Gateway.SendAsync(Chunk(otherRoom, agentId, liveReply, "still "));
        await stage.Gateway.SendAsync(Complete(otherRoom, agentId, liveReply, "still here"));

        var chunk = await client.WaitForAsync("server:message_chunk");
        Assert.Equal(liveReply, chunk["messageId"]!.GetValue<string>());
        var complete = (await client.WaitForAsync("server:message_complete"))["message"]!;
        Assert.Equal(liveReply, complete["id"]!.GetValue<string>());
        Assert.Single(client.All("server:message_chunk"));
        Assert.Single(client.All("server:message_complete"));
        Assert.Equal(0, await TestSql.CountAsync(
            hub, "SELECT count(*) FROM messages WHERE room_id = $1 OR id = $2", stage.RoomId, lostReply));
        Assert.DoesNotContain(stage.Gateway.All("server:error"), e => e["code"]!.GetValue<string>() == "INTERNAL_ERROR");
    }

    [Fact]
    public async Task B05_Completion_RoomDeletedMidStream_RoomNotFoundNotSilenceAndNoRow()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        var otherRoom = await stage.Owner.CreateRoomAsync("R5");
        await stage.Owner.AddMemberAsync(otherRoom, agentId, "agent");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId, otherRoom);
        var lostReply = Unique.Id("resp-del");
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, lostReply, "part one"));
        await client.WaitForAsync("server:message_chunk");

        Assert.Equal(1, await TestSql.ExecuteAsync(hub, "DELETE FROM rooms WHERE id = $1", stage.RoomId));
        await stage.Gateway.SendAsync(Complete(stage.RoomId, agentId, lostReply, "part one, done"));

        await stage.Gateway.ExpectErrorAsync("ROOM_NOT_FOUND", "Room not found");
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, lostReply, "late"));
        await stage.Gateway.ExpectErrorAsync("ROOM_NOT_FOUND", "Room not found");
        await stage.Gateway.SendAsync(Complete(otherRoom, agentId, Unique.Id("resp"), "elsewhere"));
        Assert.Equal(otherRoom, (await client.WaitForAsync("server:message_complete"))["message"]!["roomId"]!.GetValue<string>());
        Assert.Equal(0, await TestSql.CountAsync(
            hub, "SELECT count(*) FROM messages WHERE room_id = $1 OR id = $2", stage.RoomId, lostReply));
        await client.PingAsync();
        Assert.Single(client.All("server:message_chunk"));
    }

    [Fact]
    public async Task B05_GatewayGoneMidStream_ErrorChunkAndStoredMessageThenARetryUpdatesIt()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var reply = Unique.Id("resp-cut");
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, reply, "so far "));
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, reply, "so good"));
        await client.WaitForAsync("server:message_chunk", f => f["chunk"]!["content"]!.GetValue<string>() == "so good");

        stage.Gateway.Abort();

        var error = await client.WaitForAsync("server:message_chunk", f => f["chunk"]!["type"]!.GetValue<string>() == "error");
        Assert.Equal(reply, error["messageId"]!.GetValue<string>());
        var cut = (await client.WaitForAsync("server:message_complete"))["message"]!;
        Assert.Equal(reply, cut["id"]!.GetValue<string>());
        Assert.StartsWith("so far so good", cut["content"]!.GetValue<string>(), StringComparison.Ordinal);
        var stored = Assert.Single(await HistoryAsync(stage.Owner, stage.RoomId));
        Assert.Equal(reply, stored["id"]!.GetValue<string>());

        // The gateway comes back and completes the reply from its queue: the same row is updated (case B03).
        await using var back = await WsPeer.GatewayAsync(stage.Owner, stage.GatewayId, (agentId, "dev"));
        await back.SendAsync(Complete(stage.RoomId, agentId, reply, "so far so good, and done"));
        await client.WaitForAsync(
            "server:message_complete", f => f["message"]!["content"]!.GetValue<string>() == "so far so good, and done");
        var after = Assert.Single(await HistoryAsync(stage.Owner, stage.RoomId));
        Assert.Equal(reply, after["id"]!.GetValue<string>());
        Assert.Equal("so far so good, and done", after["content"]!.GetValue<string>());
    }

    private static object Chunk(string roomId, string agentId, string messageId, string content) =>
        new { type = "gateway:message_chunk", roomId, agentId, messageId, chunk = new { type = "text", content } };

    private static object Complete(string roomId, string agentId, string messageId, string fullContent) =>
        new { type = "gateway:message_complete", roomId, agentId, messageId, fullContent };

    private static async Task<List<JsonNode>> HistoryAsync(Session session, string room)
    {
        var (status, body) = await session.GetAsync($"/api/messages/rooms/{room}?limit=50");
        Assert.Equal(200, status);
        return body!["data"]!["items"]!.AsArray().Select(n => n!).ToList();
    }
}
