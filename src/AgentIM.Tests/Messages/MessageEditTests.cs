using AgentIM.Tests.Support;

namespace AgentIM.Tests.Messages;

/// <summary>
/// <c>PUT /api/messages/:id</c> and <c>GET /api/messages/:id/history</c> (rest-api.md #44, #45), with case B17 on the
/// edit path: text is cleaned and counted exactly as on the socket, and complex Unicode round-trips.
/// </summary>
public sealed class MessageEditTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private const string Complex = "👩‍💻 مرحبا @dev-ops שלום \u202Eabc\u202C ✔️ 🇺🇦";

    [Fact]
    public async Task Edit_BySender_ReturnsRowStoresHistoryAndBroadcastsWithoutNulls()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "first <b onclick=\"x()\">text</b>");
        await using var watcher = await WsPeer.ClientAsync(cast.Bob, roomId);

        var (status, body) = await cast.Alice.PutAsync(
            $"/api/messages/{id}", new { content = "second <img src=\"javascript:x\" onerror=\"y()\">" });

        Assert.Equal(200, status);
        var data = body!["data"]!.AsObject();
        Assert.Equal(id, data["id"]!.GetValue<string>());
        Assert.Equal("second <img src=\"\">", data["content"]!.GetValue<string>());
        Assert.Matches(Timestamps.IsoUtcMillis, data["updatedAt"]!.GetValue<string>());
        Assert.True(data.ContainsKey("replyToId") && data["replyToId"] is null, "REST keeps the row's null replyToId");
        Assert.False(data.ContainsKey("chunks"));
        Assert.False(data.ContainsKey("attachments"));
        Assert.False(data.ContainsKey("reactions"));

        var frame = await watcher.WaitForAsync("server:message_edited");
        Assert.Equal(data["content"]!.GetValue<string>(), frame["message"]!["content"]!.GetValue<string>());
        Assert.Equal(data["updatedAt"]!.GetValue<string>(), frame["message"]!["updatedAt"]!.GetValue<string>());
        Assert.False(frame["message"]!.AsObject().ContainsKey("replyToId"));

        var (historyStatus, history) = await cast.Bob.GetAsync($"/api/messages/{id}/history");
        Assert.Equal(200, historyStatus);
        var edit = Assert.Single(history!["data"]!.AsArray())!;
        Assert.Equal(id, edit["messageId"]!.GetValue<string>());
        Assert.Equal("first <b>text</b>", edit["previousContent"]!.GetValue<string>());
        Assert.Matches(Timestamps.IsoUtcMillis, edit["editedAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task EditHistory_SeveralEdits_NewestFirst()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "v1");

        foreach (var text in new[] { "v2", "v3" })
        {
            var (status, _) = await cast.Alice.PutAsync($"/api/messages/{id}", new { content = text });
            Assert.Equal(200, status);
        }

        var (_, history) = await cast.Alice.GetAsync($"/api/messages/{id}/history");
        Assert.Equal(["v2", "v1"], history!["data"]!.AsArray().Select(e => e!["previousContent"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Edit_NotTheSender_Forbidden()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "mine");

        var (status, body) = await cast.Bob.PutAsync($"/api/messages/{id}", new { content = "hijack" });

        Assert.Equal(403, status);
        Assert.Equal("Only the sender can edit this message", body!["error"]!.GetValue<string>());
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM message_edits WHERE message_id = $1", id));
    }

    [Fact]
    public async Task Edit_OutsiderOrUnknownMessage_NotFound()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "private");

        var outsider = await cast.Carol.PutAsync($"/api/messages/{id}", new { content = "x" });
        var unknown = await cast.Alice.PutAsync("/api/messages/nope-nope", new { content = "x" });
        var outsiderHistory = await cast.Carol.GetAsync($"/api/messages/{id}/history");

        Assert.Equal((404, "Message not found"), (outsider.Status, outsider.Body!["error"]!.GetValue<string>()));
        Assert.Equal((404, "Message not found"), (unknown.Status, unknown.Body!["error"]!.GetValue<string>()));
        Assert.Equal((404, "Message not found"), (outsiderHistory.Status, outsiderHistory.Body!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Edit_BadInput_Rejected()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "keep");

        var empty = await cast.Alice.PutAsync($"/api/messages/{id}", new { content = "" });
        var missing = await cast.Alice.PutAsync($"/api/messages/{id}", new { });
        var blankAfterCleaning = await cast.Alice.PutAsync($"/api/messages/{id}", new { content = "<script>x()</script>" });
        var badId = await cast.Alice.PutAsync("/api/messages/bad.id", new { content = "x" });
        var notJson = await hub.SendAsync(HttpMethod.Put, $"/api/messages/{id}", "{nope", HubHttp.Bearer(cast.Alice.AccessToken));

        Assert.Equal(400, empty.Status);
        Assert.Equal("content", empty.Body!["fields"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(400, missing.Status);
        Assert.Equal("Required", missing.Body!["fields"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(400, blankAfterCleaning.Status);
        Assert.Equal((400, "Invalid parameter: id"), (badId.Status, badId.Body!["error"]!.GetValue<string>()));
        Assert.Equal((400, "Invalid JSON body"), (notJson.Status, notJson.Error));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM message_edits WHERE message_id = $1", id));
    }

    [Fact]
    public async Task Edit_NulAndLoneSurrogates_CleanedLikeTheSocket()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "start");

        // JSON escapes, as a browser would send them; System.Text.Json would refuse to write a lone surrogate.
        var nul = await hub.SendAsync(
            HttpMethod.Put, $"/api/messages/{id}", """{"content":"a\u0000b"}""", HubHttp.Bearer(cast.Alice.AccessToken));
        var high = await hub.SendAsync(
            HttpMethod.Put, $"/api/messages/{id}", """{"content":"\ud83d"}""", HubHttp.Bearer(cast.Alice.AccessToken));
        var low = await hub.SendAsync(
            HttpMethod.Put, $"/api/messages/{id}", """{"content":"x\udc00y"}""", HubHttp.Bearer(cast.Alice.AccessToken));

        Assert.Equal((200, "ab"), (nul.Status, nul.Data["content"]!.GetValue<string>()));
        Assert.Equal((200, "\uFFFD"), (high.Status, high.Data["content"]!.GetValue<string>()));
        Assert.Equal((200, "x\uFFFDy"), (low.Status, low.Data["content"]!.GetValue<string>()));
        var page = await History.PageAsync(cast.Alice, roomId, 10);
        Assert.Equal("x\uFFFDy", page.Items.Single(i => i["id"]!.GetValue<string>() == id)["content"]!.GetValue<string>());

        // The previous texts were stored cleaned too, and the next edit still works.
        var (_, history) = await cast.Alice.GetAsync($"/api/messages/{id}/history");
        Assert.Equal(["\uFFFD", "ab", "start"], history!["data"]!.AsArray().Select(e => e!["previousContent"]!.GetValue<string>()));
        var (after, _) = await cast.Alice.PutAsync($"/api/messages/{id}", new { content = "fine" });
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task Edit_LengthLimit_CountedInUtf16UnitsLikeTheSocket()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "short");
        var atLimit = string.Concat(Enumerable.Repeat("😀", 49_999)) + "ab";
        var overLimit = atLimit + "c";

        var (okStatus, okBody) = await cast.Alice.PutAsync($"/api/messages/{id}", new { content = atLimit });
        var (tooLongStatus, tooLongBody) = await cast.Alice.PutAsync($"/api/messages/{id}", new { content = overLimit });

        Assert.Equal(100_000, atLimit.Length);
        Assert.Equal(200, okStatus);
        Assert.Equal(atLimit, okBody!["data"]!["content"]!.GetValue<string>());
        Assert.Equal(400, tooLongStatus);
        Assert.Equal("content", tooLongBody!["fields"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(atLimit, (await History.PageAsync(cast.Alice, roomId, 1)).Items[0]["content"]!.GetValue<string>());

        // The socket draws the same line. Raw UTF-8 frames, as a browser sends them (escaping every emoji as two
        // \u escapes would make the frame three times larger than what is being measured).
        await using var client = await WsPeer.ClientAsync(cast.Alice, roomId);
        await client.SendTextAsync($$"""{"type":"client:send_message","roomId":"{{roomId}}","content":"{{overLimit}}","mentions":[]}""");
        await client.ExpectErrorAsync("MESSAGE_TOO_LARGE");
        await client.SendTextAsync($$"""{"type":"client:send_message","roomId":"{{roomId}}","content":"{{atLimit}}","mentions":[]}""");
        var sent = await client.WaitForAsync("server:new_message");
        Assert.Equal(atLimit, sent["message"]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Edit_ComplexUnicode_RoundTripsThroughEditHistoryAndSearch()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, Complex);
        var edited = Complex + " (edited)";

        var (status, body) = await cast.Alice.PutAsync($"/api/messages/{id}", new { content = edited });
        var page = await History.PageAsync(cast.Alice, roomId, 10);
        var (_, history) = await cast.Alice.GetAsync($"/api/messages/{id}/history");
        var query = Uri.EscapeDataString("مرحبا");
        var (searchStatus, search) = await cast.Alice.GetAsync($"/api/messages/search?q={query}&roomId={roomId}");

        Assert.Equal(200, status);
        Assert.Equal(edited, body!["data"]!["content"]!.GetValue<string>());
        Assert.Equal(edited, page.Items.Single()["content"]!.GetValue<string>());
        Assert.Equal(Complex, history!["data"]![0]!["previousContent"]!.GetValue<string>());
        Assert.Equal(200, searchStatus);
        var found = Assert.Single(search!["data"]!.AsArray())!;
        Assert.Equal(edited, found["content"]!.GetValue<string>());
    }
}
