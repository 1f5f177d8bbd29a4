using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Bookmarks;

/// <summary>/api/bookmarks (rest-api.md §13 #82–84): a user's own bookmarks of messages in rooms they are in.</summary>
public sealed class BookmarksEndpointsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Create_MessageInCallersRoom_Returns201_DuplicateReturns409()
    {
        var alice = await hub.CreateUserAsync("alice");
        var room = await alice.CreateRoomAsync("marks");
        var messageId = await SendAsync(alice, room, "remember this");

        var (status, body) = await alice.PostAsync("/api/bookmarks", new { messageId });
        var (duplicate, duplicateBody) = await alice.PostAsync("/api/bookmarks", new { messageId, note = "again" });

        Assert.Equal(201, status);
        var bookmark = body!["data"]!.AsObject();
        Assert.Equal(21, Str(bookmark, "id").Length);
        Assert.Equal(alice.UserId, Str(bookmark, "userId"));
        Assert.Equal(messageId, Str(bookmark, "messageId"));
        Assert.Equal("", Str(bookmark, "note"));
        Assert.True(WireRules.IsWireTimestamp(Str(bookmark, "createdAt")));
        Assert.Equal(409, duplicate);
        Assert.Equal("Bookmark already exists", Str(duplicateBody, "error"));
        Assert.Single((await alice.GetAsync("/api/bookmarks")).Body!["data"]!["items"]!.AsArray());
    }

    [Fact]
    public async Task Create_MessageOutsideCallersRooms_OrUnknown_Returns404()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var admin = await hub.LoginAdminAsync();
        var room = await alice.CreateRoomAsync("private");
        var messageId = await SendAsync(alice, room, "not for bob");

        foreach (var stranger in new[] { bob, admin })
        {
            var (status, body) = await stranger.PostAsync("/api/bookmarks", new { messageId });
            Assert.Equal(404, status);
            Assert.Equal("Message not found", Str(body, "error"));
            Assert.Empty((await stranger.GetAsync("/api/bookmarks")).Body!["data"]!["items"]!.AsArray());
        }

        Assert.Equal(404, (await alice.PostAsync("/api/bookmarks", new { messageId = "no-such-message" })).Status);
    }

    [Theory]
    [InlineData("missing", "messageId")]
    [InlineData("empty", "messageId")]
    [InlineData("long-id", "messageId")]
    [InlineData("long-note", "note")]
    public async Task Create_InvalidBody_ReturnsValidationError(string kind, string field)
    {
        var alice = await hub.CreateUserAsync("alice");
        var room = await alice.CreateRoomAsync("marks");
        var messageId = await SendAsync(alice, room, "x");
        object request = kind switch
        {
            "missing" => new { note = "n" },
            "empty" => new { messageId = "" },
            "long-id" => new { messageId = new string('m', 101) },
            _ => new { messageId, note = new string('n', 501) },
        };

        var (status, body) = await alice.PostAsync("/api/bookmarks", request);

        Assert.Equal(400, status);
        Assert.Equal("Validation failed", Str(body, "error"));
        Assert.Equal(field, Str(body!["fields"]![0], "field"));
        Assert.Empty((await alice.GetAsync("/api/bookmarks")).Body!["data"]!["items"]!.AsArray());
    }

    [Fact]
    public async Task List_NewestFirstWithMessage_PagesWithCursor_HidesRoomsTheCallerLeft()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var shared = await bob.CreateRoomAsync("shared", alice.UserId);
        var own = await alice.CreateRoomAsync("own");
        var first = await SendAsync(alice, own, "first");
        var second = await SendAsync(bob, shared, "second");
        var third = await SendAsync(alice, own, "third");
        foreach (var (messageId, note) in new[] { (first, "1"), (second, "2"), (third, "3") })
        {
            Assert.Equal(201, (await alice.PostAsync("/api/bookmarks", new { messageId, note })).Status);
            // Millisecond timestamps; keep them apart so "newest first" has one answer.
            await Task.Delay(5);
        }

        var (status, body) = await alice.GetAsync("/api/bookmarks");

        Assert.Equal(200, status);
        var items = body!["data"]!["items"]!.AsArray();
        Assert.Equal([third, second, first], items.Select(i => Str(i, "messageId")));
        Assert.False(body["data"]!["hasMore"]!.GetValue<bool>());
        Assert.False(body["data"]!.AsObject().ContainsKey("nextCursor"));
        var item = items[1]!;
        Assert.Equal("2", Str(item, "note"));
        Assert.Equal(alice.UserId, Str(item, "userId"));
        Assert.Equal(shared, Str(item["message"], "roomId"));
        Assert.Equal(bob.Username, Str(item["message"], "senderName"));
        Assert.Equal("second", Str(item["message"], "content"));
        Assert.True(WireRules.IsWireTimestamp(Str(item["message"], "createdAt")));

        var (_, page1) = await alice.GetAsync("/api/bookmarks?limit=2");
        Assert.True(page1!["data"]!["hasMore"]!.GetValue<bool>());
        var cursor = Uri.EscapeDataString(Str(page1["data"], "nextCursor"));
        var (_, page2) = await alice.GetAsync($"/api/bookmarks?limit=2&cursor={cursor}");
        Assert.Equal([third, second], page1["data"]!["items"]!.AsArray().Select(i => Str(i, "messageId")));
        Assert.Equal([first], page2!["data"]!["items"]!.AsArray().Select(i => Str(i, "messageId")));
        Assert.False(page2["data"]!["hasMore"]!.GetValue<bool>());
        Assert.Equal(400, (await alice.GetAsync("/api/bookmarks?limit=101")).Status);

        Assert.Equal(200, (await alice.DeleteAsync($"/api/rooms/{shared}/members/{alice.UserId}")).Status);
        var (_, afterLeaving) = await alice.GetAsync("/api/bookmarks");
        Assert.Equal([third, first], afterLeaving!["data"]!["items"]!.AsArray().Select(i => Str(i, "messageId")));
    }

    [Fact]
    public async Task Delete_Own_ReturnsId_OthersBookmark404AndKept()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var room = await alice.CreateRoomAsync("marks", bob.UserId);
        var messageId = await SendAsync(alice, room, "both mark it");
        var alicesMark = Str((await alice.PostAsync("/api/bookmarks", new { messageId })).Body!["data"], "id");
        var bobsMark = Str((await bob.PostAsync("/api/bookmarks", new { messageId })).Body!["data"], "id");

        var (foreign, foreignBody) = await alice.DeleteAsync($"/api/bookmarks/{bobsMark}");
        var (status, body) = await alice.DeleteAsync($"/api/bookmarks/{alicesMark}");

        Assert.Equal(404, foreign);
        Assert.Equal("Bookmark not found", Str(foreignBody, "error"));
        Assert.Equal(200, status);
        Assert.Equal(alicesMark, Str(body!["data"], "id"));
        Assert.Empty((await alice.GetAsync("/api/bookmarks")).Body!["data"]!["items"]!.AsArray());
        Assert.Single((await bob.GetAsync("/api/bookmarks")).Body!["data"]!["items"]!.AsArray());
        Assert.Equal(404, (await alice.DeleteAsync($"/api/bookmarks/{alicesMark}")).Status);
        Assert.Equal(400, (await alice.DeleteAsync("/api/bookmarks/bad.id")).Status);
    }

    [Fact]
    public async Task Create_AtFiveHundredBookmarks_Returns400()
    {
        var alice = await hub.CreateUserAsync("alice");
        var room = await alice.CreateRoomAsync("many");
        // 501 messages and 499 bookmarks straight into the database: the route is what is under test, not the setup.
        await TestSql.ExecuteAsync(hub, """
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, created_at)
            SELECT $1 || '-' || n, $2, $3, 'user', 'alice', 'text', 'm' || n, now()
            FROM generate_series(1, 501) AS n
            """, room, room, alice.UserId);
        await TestSql.ExecuteAsync(hub, """
            INSERT INTO bookmarks (id, user_id, message_id, note, created_at)
            SELECT $1 || '-b' || n, $2, $1 || '-' || n, '', now()
            FROM generate_series(1, 499) AS n
            """, room, alice.UserId);

        var (last, _) = await alice.PostAsync("/api/bookmarks", new { messageId = $"{room}-500" });
        var (over, overBody) = await alice.PostAsync("/api/bookmarks", new { messageId = $"{room}-501" });

        Assert.Equal(201, last);
        Assert.Equal(400, over);
        Assert.Equal("Maximum bookmarks reached", Str(overBody, "error"));
    }

    /// <summary>Sends a message over the client socket, as the real client does, and returns its id.</summary>
    private static async Task<string> SendAsync(Session sender, string room, string content)
    {
        await using var client = await WsPeer.ClientAsync(sender, room);
        await client.SendAsync(new { type = "client:send_message", roomId = room, content, mentions = Array.Empty<string>() });
        var frame = await client.WaitForAsync("server:new_message", f => Str(f["message"], "content") == content);
        return Str(frame["message"], "id");
    }

    private static string Str(JsonNode? node, string key) => node![key]!.GetValue<string>();
}
