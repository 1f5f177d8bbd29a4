using AgentIM.Tests.Support;

namespace AgentIM.Tests.Messages;

/// <summary>Threads (rest-api.md #48), reply counts (#49) and forwarding (#50) with its <c>server:new_message</c>.</summary>
public sealed class MessageThreadAndForwardTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Thread_RepliesOldestFirstWithTopLevelCursorAndAttachmentArrays()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var parent = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "parent");
        var live = await MessageRoutesCast.SendAsync(cast.Bob, roomId, "live reply", parent);
        // Two fixture replies share one instant, so the page boundary falls between equal timestamps.
        var tiedA = await Reply(roomId, parent, cast.Alice, "2999-01-01T00:00:00Z");
        var tiedB = await Reply(roomId, parent, cast.Alice, "2999-01-01T00:00:00Z");
        var tied = new[] { tiedA, tiedB }.Order(StringComparer.Ordinal).ToArray();
        await TestSql.ExecuteAsync(hub, """
            INSERT INTO message_attachments (id, message_id, filename, mime_type, size, url, created_at)
            VALUES ($1, $2, 'a.png', 'image/png', 3, '/uploads/a.png', now())
            """, History.RandomId(), live);

        var (status, first) = await cast.Bob.GetAsync($"/api/messages/{parent}/thread?limit=2");
        var cursor = first!["nextCursor"]!.GetValue<string>();
        var (_, second) = await cast.Bob.GetAsync($"/api/messages/{parent}/thread?limit=2&cursor={Uri.EscapeDataString(cursor)}");

        Assert.Equal(200, status);
        var items = first["data"]!.AsArray();
        Assert.Equal([live, tied[0]], items.Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal("a.png", items[0]!["attachments"]![0]!["filename"]!.GetValue<string>());
        Assert.Empty(items[1]!["attachments"]!.AsArray());
        Assert.All(items, i =>
        {
            Assert.True(i!.AsObject().ContainsKey("chunks") && i["chunks"] is null, "the thread route writes chunks: null");
            Assert.False(i.AsObject().ContainsKey("reactions"));
            Assert.Equal(parent, i["replyToId"]!.GetValue<string>());
        });
        Assert.Equal([tied[1]], second!["data"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.False(second.AsObject().ContainsKey("nextCursor"));
    }

    [Fact]
    public async Task Thread_TimestampCursorAndLimits()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var parent = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "parent");
        await Reply(roomId, parent, cast.Alice, "2026-05-01T10:00:00Z");
        var later = await Reply(roomId, parent, cast.Alice, "2026-05-01T10:00:01Z");

        var (_, afterFirst) = await cast.Alice.GetAsync($"/api/messages/{parent}/thread?cursor=2026-05-01T10:00:00.000Z");
        var (bigStatus, big) = await cast.Alice.GetAsync($"/api/messages/{parent}/thread?limit=500");
        var (zeroStatus, _) = await cast.Alice.GetAsync($"/api/messages/{parent}/thread?limit=0");
        var (badCursorStatus, _) = await cast.Alice.GetAsync($"/api/messages/{parent}/thread?cursor=%%%");

        Assert.Equal([later], afterFirst!["data"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal(200, bigStatus);
        Assert.Equal(2, big!["data"]!.AsArray().Count);
        Assert.Equal(400, zeroStatus);
        Assert.Equal(400, badCursorStatus);
    }

    [Fact]
    public async Task ThreadAndCount_OutsiderOrUnknown_NotFound()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var parent = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "parent");

        var thread = await cast.Carol.GetAsync($"/api/messages/{parent}/thread");
        var count = await cast.Carol.GetAsync($"/api/messages/{parent}/replies/count");
        var unknown = await cast.Alice.GetAsync("/api/messages/unknown/replies/count");

        Assert.Equal((404, "Message not found"), (thread.Status, thread.Body!["error"]!.GetValue<string>()));
        Assert.Equal((404, "Message not found"), (count.Status, count.Body!["error"]!.GetValue<string>()));
        Assert.Equal((404, "Message not found"), (unknown.Status, unknown.Body!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task RepliesCount_CountsDirectReplies()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var parent = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "parent");
        var reply = await Reply(roomId, parent, cast.Bob, "2026-05-02T10:00:00Z");
        await Reply(roomId, parent, cast.Bob, "2026-05-02T10:00:01Z");
        await Reply(roomId, reply, cast.Alice, "2026-05-02T10:00:02Z");

        var (status, body) = await cast.Bob.GetAsync($"/api/messages/{parent}/replies/count");

        Assert.Equal(200, status);
        Assert.Equal(2, body!["data"]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Forward_ToAnotherRoomOfTheCaller_CreatesMessageAndTellsTargetRoom()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var source = await cast.RoomAsync("source");
        var target = await cast.RoomAsync("target");
        var original = await MessageRoutesCast.SendAsync(cast.Alice, source, "original **text**");
        await using var watcher = await WsPeer.ClientAsync(cast.Alice, source, target);

        var (status, body) = await cast.Bob.PostAsync($"/api/messages/{original}/forward", new { targetRoomId = target });

        Assert.Equal(201, status);
        var data = body!["data"]!.AsObject();
        Assert.Equal(target, data["roomId"]!.GetValue<string>());
        Assert.Equal(cast.Bob.UserId, data["senderId"]!.GetValue<string>());
        Assert.Equal(cast.Bob.Username, data["senderName"]!.GetValue<string>());
        Assert.Equal(("user", "text"), (data["senderType"]!.GetValue<string>(), data["type"]!.GetValue<string>()));
        Assert.Equal($"[Forwarded from {cast.Alice.Username}]\n\noriginal **text**", data["content"]!.GetValue<string>());
        Assert.Empty(data["mentions"]!.AsArray());
        var frame = await watcher.WaitForAsync(
            "server:new_message", f => f["message"]!["id"]!.GetValue<string>() == data["id"]!.GetValue<string>());
        Assert.Equal(target, frame["message"]!["roomId"]!.GetValue<string>());
        Assert.Equal(data["id"]!.GetValue<string>(), (await History.PageAsync(cast.Alice, target, 1)).Ids.Single());
    }

    [Fact]
    public async Task Forward_RefusedCases()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var source = await cast.RoomAsync("source");
        var alicesOnly = await cast.Alice.CreateRoomAsync("alice only");
        var original = await MessageRoutesCast.SendAsync(cast.Alice, source, "stay put");

        var sameRoom = await cast.Bob.PostAsync($"/api/messages/{original}/forward", new { targetRoomId = source });
        var foreignTarget = await cast.Bob.PostAsync($"/api/messages/{original}/forward", new { targetRoomId = alicesOnly });
        var unknownTarget = await cast.Bob.PostAsync($"/api/messages/{original}/forward", new { targetRoomId = "no-such-room" });
        var outsider = await cast.Carol.PostAsync($"/api/messages/{original}/forward", new { targetRoomId = source });
        var missing = await cast.Bob.PostAsync($"/api/messages/{original}/forward", new { });

        Assert.Equal((400, "Cannot forward to the same room"), (sameRoom.Status, sameRoom.Body!["error"]!.GetValue<string>()));
        Assert.Equal((404, "Room not found"), (foreignTarget.Status, foreignTarget.Body!["error"]!.GetValue<string>()));
        Assert.Equal((404, "Room not found"), (unknownTarget.Status, unknownTarget.Body!["error"]!.GetValue<string>()));
        Assert.Equal((404, "Message not found"), (outsider.Status, outsider.Body!["error"]!.GetValue<string>()));
        Assert.Equal((400, "targetRoomId"), (missing.Status, missing.Body!["fields"]![0]!["field"]!.GetValue<string>()));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE room_id = $1", alicesOnly));
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE room_id = $1", source));
    }

    private async Task<string> Reply(string roomId, string parentId, Session sender, string createdAt)
    {
        var id = History.RandomId();
        await TestSql.ExecuteAsync(hub, """
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, reply_to_id, created_at)
            VALUES ($1, $2, $3, 'user', $4, 'text', 'reply ' || $1, $5, $6::timestamptz)
            """, id, roomId, sender.UserId, sender.Username, parentId, createdAt);
        return id;
    }
}
