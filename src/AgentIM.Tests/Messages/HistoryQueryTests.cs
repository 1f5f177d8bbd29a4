using AgentIM.Tests.Support;

namespace AgentIM.Tests.Messages;

/// <summary>
/// History query parameters and timestamps (case B20): times are ISO-8601 UTC with exactly three fractional digits, a
/// message's own createdAt works as <c>cursor</c> and <c>after</c> without skipping or repeating, offsets are honoured,
/// and bad input gets the contract's errors.
/// </summary>
public sealed class HistoryQueryTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly string[] Instants =
    [
        "2026-02-01T12:00:01.000Z",
        "2026-02-01T12:00:00.700Z",
        "2026-02-01T12:00:00.070Z",
        "2026-02-01T12:00:00.007Z",
        "2026-02-01T12:00:00.000Z",
    ];

    [Fact]
    public async Task History_MillisecondTimestamps_SerializedAsIsoUtcWithThreeDigits()
    {
        var (alice, roomId, _) = await RoomWithOneMessagePerInstantAsync();

        var page = await History.PageAsync(alice, roomId, 50);

        Assert.Equal(Instants, page.CreatedAts);
        Assert.All(page.Items, i => Assert.Matches(Timestamps.IsoUtcMillis, i["createdAt"]!.GetValue<string>()));
        Assert.All(page.Items, i => Assert.True(i!.AsObject().ContainsKey("updatedAt") && i["updatedAt"] is null));
    }

    [Fact]
    public async Task History_CreatedAtAsCursor_ReturnsStrictlyOlderMessagesWithoutRepeat()
    {
        var (alice, roomId, ids) = await RoomWithOneMessagePerInstantAsync();

        var page = await History.PageAsync(alice, roomId, 50, cursor: Instants[2]);

        Assert.Equal(ids[3..], page.Ids);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task History_CreatedAtAsAfter_ReturnsStrictlyNewerMessagesWithoutSkip()
    {
        var (alice, roomId, ids) = await RoomWithOneMessagePerInstantAsync();

        var all = await History.PageAsync(alice, roomId, 50, after: Instants[2]);
        var oldestOne = await History.PageAsync(alice, roomId, 1, after: Instants[2]);

        Assert.Equal(ids[..2], all.Ids);
        Assert.Equal(ids[1..2], oldestOne.Ids);
        Assert.True(oldestOne.HasMore);
    }

    [Fact]
    public async Task History_CursorWithOffset_MeansTheSameInstant()
    {
        var (alice, roomId, ids) = await RoomWithOneMessagePerInstantAsync();

        var offset = await History.PageAsync(alice, roomId, 50, cursor: "2026-02-01T09:00:00.070-03:00");
        var postgresTextForm = await History.PageAsync(alice, roomId, 50, after: "2026-02-01 12:00:00.07+00");

        Assert.Equal(ids[3..], offset.Ids);
        Assert.Equal(ids[..2], postgresTextForm.Ids);
    }

    [Fact]
    public async Task History_MessageSentOverSocket_HasSameCreatedAtOnSocketAndRest()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("live");
        await using var client = await WsPeer.ClientAsync(alice, roomId);
        var sentAt = DateTimeOffset.UtcNow;

        await client.SendAsync(new { type = "client:send_message", roomId, content = "hello", mentions = Array.Empty<string>() });
        var frame = await client.WaitForAsync("server:new_message");

        var createdAt = frame["message"]!["createdAt"]!.GetValue<string>();
        Assert.Matches(Timestamps.IsoUtcMillis, createdAt);
        Timestamps.AssertNear(sentAt, createdAt);
        var page = await History.PageAsync(alice, roomId, 50);
        Assert.Equal([createdAt], page.CreatedAts);
        Assert.Empty((await History.PageAsync(alice, roomId, 50, cursor: createdAt)).Items);
        Assert.Empty((await History.PageAsync(alice, roomId, 50, after: createdAt)).Items);
    }

    [Fact]
    public async Task WalkBack_SubMillisecondTimestampsFromOtherWriters_NeitherSkipsNorRepeats()
    {
        // The hub stores whole milliseconds, but rows written by anything else (an import, a manual repair) may carry
        // microseconds. Ids run against time here, so a cursor that lost the microseconds would skip rows.
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("micros");
        var rows = new[] { ("id-d", "100"), ("id-c", "200"), ("id-b", "300"), ("id-a", "900") };
        foreach (var (id, micros) in rows)
        {
            await History.InsertAsync(hub.DatabaseUrl, roomId, alice, [id], $"2026-03-01T08:00:00.000{micros}Z");
        }

        var pages = await History.WalkBackAsync(alice, roomId, 1);

        Assert.Equal(["id-a", "id-b", "id-c", "id-d"], pages.SelectMany(p => p.Ids));
        Assert.Equal([true, true, true, false], pages.Select(p => p.HasMore));
    }

    [Fact]
    public async Task Message_SentOverSocket_IsStoredAtWholeMilliseconds()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("precision");
        await using var client = await WsPeer.ClientAsync(alice, roomId);

        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync(new { type = "client:send_message", roomId, content = $"m{i}", mentions = Array.Empty<string>() });
            await client.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == $"m{i}");
        }

        // What is stored must equal what is sent (milliseconds), or a createdAt fed back as a cursor would miss its row.
        var finer = await TestSql.ScalarAsync<long>(
            hub.DatabaseUrl,
            "SELECT count(*) FROM messages WHERE room_id = $1 AND created_at <> date_trunc('milliseconds', created_at)",
            roomId);
        Assert.Equal(0L, finer);
        Assert.Equal(3, (await History.PageAsync(alice, roomId, 50)).Items.Count);
    }

    [Theory]
    [InlineData("OTk5OTk5OTk5OTk5OTk5OTk5OmFiYw")]
    [InlineData("LTE6YWJj")]
    [InlineData("10000-01-01T00:00:00Z")]
    public async Task History_CursorOutsideRepresentableTime_Returns400(string cursor)
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("far-future");

        var (status, body) = await alice.GetAsync($"/api/messages/rooms/{roomId}?cursor={Uri.EscapeDataString(cursor)}");

        Assert.Equal(400, status);
        Assert.Equal("cursor", Assert.Single(body!["fields"]!.AsArray())!["field"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("after=yesterday", "after")]
    public async Task History_InvalidQuery_Returns400NamingParameter(string query, string field)
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("queries");

        var (status, body) = await alice.GetAsync($"/api/messages/rooms/{roomId}?{query}");

        Assert.Equal(400, status);
        Assert.Equal("Validation failed", body!["error"]!.GetValue<string>());
        Assert.Equal(field, Assert.Single(body["fields"]!.AsArray())!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task History_NonMember_Returns404()
    {
        var (_, roomId, _) = await RoomWithOneMessagePerInstantAsync();
        var eve = await hub.CreateUserAsync("eve");

        var (status, body) = await eve.GetAsync($"/api/messages/rooms/{roomId}");

        Assert.Equal((404, "Room not found"), (status, body!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task History_InvalidRoomId_Returns400InvalidParameter()
    {
        var alice = await hub.CreateUserAsync("alice");

        var (status, body) = await alice.GetAsync($"/api/messages/rooms/{new string('r', 31)}");

        Assert.Equal((400, "Invalid parameter: roomId"), (status, body!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task History_WithoutBearer_Returns401()
    {
        var reply = await hub.GetAsync("/api/messages/rooms/some-room");

        Assert.Equal((401, "Unauthorized"), (reply.Status, reply.Error));
    }

    /// <summary>A room with one fixture message per instant; the ids come back newest first.</summary>
    private async Task<(Session Alice, string RoomId, string[] Ids)> RoomWithOneMessagePerInstantAsync()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("instants");
        var ids = Instants.Select(_ => History.RandomId()).ToArray();
        for (var i = 0; i < Instants.Length; i++)
        {
            await History.InsertAsync(hub.DatabaseUrl, roomId, alice, [ids[i]], Instants[i]);
        }

        return (alice, roomId, ids);
    }
}
