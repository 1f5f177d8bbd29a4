using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Messages;

/// <summary>
/// Reactions (rest-api.md #43), the recent overview (#38) and read marks (#39, #40) with their
/// <c>server:reaction_update</c> and <c>server:read_receipt</c> frames.
/// </summary>
public sealed class MessageReactionsAndReadTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Reaction_Toggle_AddsAlignsUsersRemovesAndTellsTheRoom()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "react to me");
        await using var watcher = await WsPeer.ClientAsync(cast.Alice, roomId);

        var bobAdds = await cast.Bob.PostAsync($"/api/messages/{id}/reactions", new { emoji = "👍" });
        var firstFrame = await watcher.WaitForAsync("server:reaction_update");
        var aliceAdds = await cast.Alice.PostAsync($"/api/messages/{id}/reactions", new { emoji = "👍" });
        var bobRemoves = await cast.Bob.PostAsync($"/api/messages/{id}/reactions", new { emoji = "👍" });

        Assert.Equal(200, bobAdds.Status);
        var only = Assert.Single(bobAdds.Body!["data"]!.AsArray())!;
        Assert.Equal("👍", only["emoji"]!.GetValue<string>());
        Assert.Equal([cast.Bob.UserId], Strings(only["userIds"]));
        Assert.Equal([cast.Bob.Username], Strings(only["usernames"]));
        Assert.Equal(roomId, firstFrame["roomId"]!.GetValue<string>());
        Assert.Equal(id, firstFrame["messageId"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(bobAdds.Body["data"], firstFrame["reactions"]));

        Assert.Equal([cast.Bob.UserId, cast.Alice.UserId], Strings(aliceAdds.Body!["data"]![0]!["userIds"]));
        Assert.Equal([cast.Bob.Username, cast.Alice.Username], Strings(aliceAdds.Body["data"]![0]!["usernames"]));
        Assert.Equal([cast.Alice.UserId], Strings(bobRemoves.Body!["data"]![0]!["userIds"]));

        var page = await History.PageAsync(cast.Bob, roomId, 5);
        Assert.Equal([cast.Alice.UserId], Strings(page.Items.Single()["reactions"]![0]!["userIds"]));
    }

    [Fact]
    public async Task Reaction_TwentyFirstDistinctEmojiOfOneUser_Refused()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "popular");
        await TestSql.ExecuteAsync(hub, """
            INSERT INTO message_reactions (message_id, user_id, emoji, created_at)
            SELECT $1, $2, 'e' || g, now() FROM generate_series(1, 20) AS g
            """, id, cast.Bob.UserId);

        var refused = await cast.Bob.PostAsync($"/api/messages/{id}/reactions", new { emoji = "🎉" });
        var removal = await cast.Bob.PostAsync($"/api/messages/{id}/reactions", new { emoji = "e1" });
        var otherUser = await cast.Alice.PostAsync($"/api/messages/{id}/reactions", new { emoji = "🎉" });

        Assert.Equal((400, "Maximum reactions per message reached"), (refused.Status, refused.Body!["error"]!.GetValue<string>()));
        Assert.Equal(200, removal.Status);
        Assert.Equal(200, otherUser.Status);
        Assert.Equal(19, await TestSql.CountAsync(
            hub, "SELECT count(*) FROM message_reactions WHERE message_id = $1 AND user_id = $2", id, cast.Bob.UserId));
    }

    [Fact]
    public async Task Reaction_BadEmoji_InvalidEmoji()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "emoji rules");
        var bearer = HubHttp.Bearer(cast.Bob.AccessToken);

        var empty = await cast.Bob.PostAsync($"/api/messages/{id}/reactions", new { emoji = "" });
        var nine = await cast.Bob.PostAsync($"/api/messages/{id}/reactions", new { emoji = "123456789" });
        var missing = await cast.Bob.PostAsync($"/api/messages/{id}/reactions", new { });
        var nul = await hub.SendAsync(HttpMethod.Post, $"/api/messages/{id}/reactions", """{"emoji":"a\u0000"}""", bearer);
        var loneSurrogate = await hub.SendAsync(HttpMethod.Post, $"/api/messages/{id}/reactions", """{"emoji":"\ud83d"}""", bearer);
        var eightUnits = await cast.Bob.PostAsync($"/api/messages/{id}/reactions", new { emoji = "👍👍👍👍" });

        Assert.Equal((400, "Invalid emoji"), (empty.Status, empty.Body!["error"]!.GetValue<string>()));
        Assert.Equal((400, "Invalid emoji"), (nine.Status, nine.Body!["error"]!.GetValue<string>()));
        Assert.Equal((400, "Invalid emoji"), (missing.Status, missing.Body!["error"]!.GetValue<string>()));
        Assert.Equal((400, "Invalid emoji"), (nul.Status, nul.Error));
        Assert.Equal(400, loneSurrogate.Status);
        Assert.Equal(200, eightUnits.Status);
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM message_reactions WHERE message_id = $1", id));
    }

    [Fact]
    public async Task Reaction_OutsiderOrUnknownMessage_NotFound()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "members only");

        var outsider = await cast.Carol.PostAsync($"/api/messages/{id}/reactions", new { emoji = "👀" });
        var unknown = await cast.Bob.PostAsync("/api/messages/no-such-message/reactions", new { emoji = "👀" });

        Assert.Equal((404, "Message not found"), (outsider.Status, outsider.Body!["error"]!.GetValue<string>()));
        Assert.Equal((404, "Message not found"), (unknown.Status, unknown.Body!["error"]!.GetValue<string>()));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM message_reactions WHERE message_id = $1", id));
    }

    [Fact]
    public async Task Recent_LatestMessagePerRoomAndUnreadSinceLastRead()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync("recent");
        var silentRoom = await cast.RoomAsync("silent");
        await Fixture(roomId, cast.Alice, "old", "2026-01-01T10:00:00Z");
        await Fixture(roomId, cast.Alice, "middle", "2026-01-01T11:00:00Z");
        await Fixture(roomId, cast.Alice, "newest", "2026-01-01T12:00:00Z");
        await TestSql.ExecuteAsync(
            hub, "UPDATE room_members SET last_read_at = '2026-01-01T10:30:00Z' WHERE room_id = $1 AND member_id = $2",
            roomId, cast.Bob.UserId);
        await TestSql.ExecuteAsync(
            hub, "UPDATE room_members SET last_read_at = NULL WHERE room_id = $1 AND member_id = $2", roomId, cast.Alice.UserId);

        var (status, body) = await cast.Bob.GetAsync("/api/messages/recent");
        var (_, aliceBody) = await cast.Alice.GetAsync("/api/messages/recent");
        var (_, carolBody) = await cast.Carol.GetAsync("/api/messages/recent");

        Assert.Equal(200, status);
        var entry = body!["data"]![roomId]!.AsObject();
        Assert.Equal("newest", entry["content"]!.GetValue<string>());
        Assert.Equal(cast.Alice.Username, entry["senderName"]!.GetValue<string>());
        Assert.Equal("2026-01-01T12:00:00.000Z", entry["createdAt"]!.GetValue<string>());
        Assert.Equal(2, entry["unread"]!.GetValue<int>());
        Assert.False(body["data"]!.AsObject().ContainsKey(silentRoom), "a room without messages is left out");
        Assert.Equal(3, aliceBody!["data"]![roomId]!["unread"]!.GetValue<int>());
        Assert.False(carolBody!["data"]!.AsObject().ContainsKey(roomId));
    }

    [Fact]
    public async Task MarkAllRead_EveryRoomReadAndEachRoomGetsAReceipt()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var first = await cast.RoomAsync("first");
        var second = await cast.RoomAsync("second");
        await Fixture(first, cast.Alice, "one", "2026-01-02T10:00:00Z");
        await Fixture(second, cast.Alice, "two", "2026-01-02T10:00:00Z");
        await TestSql.ExecuteAsync(hub, "UPDATE room_members SET last_read_at = NULL WHERE member_id = $1", cast.Bob.UserId);
        await using var watcher = await WsPeer.ClientAsync(cast.Alice, first, second);

        var (status, body) = await cast.Bob.PostAsync("/api/messages/mark-all-read", null);

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        var receipts = new[]
        {
            await watcher.WaitForAsync("server:read_receipt", f => f["roomId"]!.GetValue<string>() == first),
            await watcher.WaitForAsync("server:read_receipt", f => f["roomId"]!.GetValue<string>() == second),
        };
        Assert.All(receipts, r =>
        {
            Assert.Equal(cast.Bob.UserId, r["userId"]!.GetValue<string>());
            Assert.Equal(cast.Bob.Username, r["username"]!.GetValue<string>());
            Assert.Matches(Timestamps.IsoUtcMillis, r["lastReadAt"]!.GetValue<string>());
        });
        var (_, recent) = await cast.Bob.GetAsync("/api/messages/recent");
        Assert.Equal(0, recent!["data"]![first]!["unread"]!.GetValue<int>());
        Assert.Equal(0, recent["data"]![second]!["unread"]!.GetValue<int>());
    }

    [Fact]
    public async Task MarkRoomRead_MemberReadsAndRoomGetsReceipt_OutsiderNotFound()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync("read");
        await Fixture(roomId, cast.Alice, "unread", "2026-01-03T10:00:00Z");
        await TestSql.ExecuteAsync(hub, "UPDATE room_members SET last_read_at = NULL WHERE room_id = $1", roomId);
        await using var watcher = await WsPeer.ClientAsync(cast.Alice, roomId);

        var (status, _) = await cast.Bob.PostAsync($"/api/messages/rooms/{roomId}/read", null);
        var receipt = await watcher.WaitForAsync("server:read_receipt");
        var outsider = await cast.Carol.PostAsync($"/api/messages/rooms/{roomId}/read", null);
        var badId = await cast.Bob.PostAsync("/api/messages/rooms/bad.room/read", null);

        Assert.Equal(200, status);
        Assert.Equal((roomId, cast.Bob.UserId), (receipt["roomId"]!.GetValue<string>(), receipt["userId"]!.GetValue<string>()));
        Assert.Equal(1, await TestSql.CountAsync(
            hub, "SELECT count(*) FROM room_members WHERE room_id = $1 AND member_id = $2 AND last_read_at IS NOT NULL",
            roomId, cast.Bob.UserId));
        Assert.Equal(0, await TestSql.CountAsync(
            hub, "SELECT count(*) FROM room_members WHERE room_id = $1 AND member_id = $2 AND last_read_at IS NOT NULL",
            roomId, cast.Alice.UserId));
        Assert.Equal((404, "Room not found"), (outsider.Status, outsider.Body!["error"]!.GetValue<string>()));
        Assert.Equal((400, "Invalid parameter: roomId"), (badId.Status, badId.Body!["error"]!.GetValue<string>()));
    }

    private static List<string> Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    private Task Fixture(string roomId, Session sender, string content, string createdAt) => TestSql.ExecuteAsync(hub, """
        INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, created_at)
        VALUES ($1, $2, $3, 'user', $4, 'text', $5, $6::timestamptz)
        """, History.RandomId(), roomId, sender.UserId, sender.Username, content, createdAt);
}
