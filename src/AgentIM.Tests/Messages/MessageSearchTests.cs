using AgentIM.Messages;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Messages;

/// <summary>
/// <c>GET /api/messages/search</c> (rest-api.md #41): a case-insensitive substring match whose wildcards are escaped,
/// served by the trigram index, with its filters (offsets honoured, case B20), always an array, and only the
/// caller's rooms.
/// </summary>
public sealed class MessageSearchTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Search_CallerInNoRoom_ReturnsAnEmptyArray()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);

        var (status, body) = await cast.Carol.GetAsync("/api/messages/search?q=anything");

        Assert.Equal(200, status);
        Assert.Empty(body!["data"]!.AsArray());
    }

    [Fact]
    public async Task Search_IgnoresCaseAndFindsSubstringsNewestFirstWithExtras()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var token = Token();
        var older = await Fixture(roomId, cast.Alice, $"Hello {token.ToUpperInvariant()} world", "2026-01-01T10:00:00Z");
        var newer = await Fixture(roomId, cast.Bob, $"pre{token}post", "2026-01-01T11:00:00Z");
        await Fixture(roomId, cast.Bob, "unrelated", "2026-01-01T12:00:00Z");
        await cast.Alice.PostAsync($"/api/messages/{older}/reactions", new { emoji = "👍" });

        var (status, body) = await cast.Alice.GetAsync($"/api/messages/search?q={token}");
        var (_, outsider) = await cast.Carol.GetAsync($"/api/messages/search?q={token}");
        var (_, limited) = await cast.Alice.GetAsync($"/api/messages/search?q={token}&limit=1");

        Assert.Equal(200, status);
        var items = body!["data"]!.AsArray();
        Assert.Equal([newer, older], items.Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal("👍", items[1]!["reactions"]![0]!["emoji"]!.GetValue<string>());
        Assert.False(items[0]!.AsObject().ContainsKey("reactions"));
        Assert.Empty(outsider!["data"]!.AsArray());
        Assert.Equal([newer], limited!["data"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Search_WildcardsAndBackslash_MatchOnlyThemselves()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var token = Token();
        var percent = await Fixture(roomId, cast.Alice, $"{token} 100% sure", "2026-01-01T10:00:00Z");
        await Fixture(roomId, cast.Alice, $"{token} 1000 sure", "2026-01-01T10:00:01Z");
        var underscore = await Fixture(roomId, cast.Alice, $"{token} a_b", "2026-01-01T10:00:02Z");
        await Fixture(roomId, cast.Alice, $"{token} axb", "2026-01-01T10:00:03Z");
        var backslash = await Fixture(roomId, cast.Alice, $"{token} c:\\dir", "2026-01-01T10:00:04Z");
        await Fixture(roomId, cast.Alice, $"{token} c:dir", "2026-01-01T10:00:05Z");

        Assert.Equal([percent], await SearchIdsAsync(cast.Alice, $"{token} 100%"));
        Assert.Equal([underscore], await SearchIdsAsync(cast.Alice, "a_b"));
        Assert.Equal([backslash], await SearchIdsAsync(cast.Alice, "c:\\d"));
        Assert.Empty(await SearchIdsAsync(cast.Alice, $"{token}%sure"));
    }

    [Fact]
    public async Task Search_Filters_RoomSenderTypeAndDatesWithOffsets()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomA = await cast.RoomAsync("a");
        var roomB = await cast.RoomAsync("b");
        var token = Token();
        var early = await Fixture(roomA, cast.Alice, $"{token} early", "2026-03-08T01:00:00Z");
        var inside = await Fixture(roomA, cast.Bob, $"{token} inside", "2026-03-08T03:30:00.123Z");
        var late = await Fixture(roomB, cast.Alice, $"{token} late", "2026-03-08T06:00:00Z");
        var agent = History.RandomId();
        await TestSql.ExecuteAsync(hub, """
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, created_at)
            VALUES ($1, $2, 'agent-1', 'agent', 'bot', 'agent_response', $3, '2026-03-08T07:00:00Z')
            """, agent, roomB, $"{token} from agent");

        Assert.Equal([agent, late], await SearchIdsAsync(cast.Alice, token, $"&roomId={roomB}"));
        Assert.Equal([inside], await SearchIdsAsync(cast.Alice, token, $"&senderId={cast.Bob.UserId}"));
        Assert.Equal([agent], await SearchIdsAsync(cast.Alice, token, "&senderType=agent"));
        var window = $"&dateFrom={Uri.EscapeDataString("2026-03-07T23:30:00-03:00")}"
            + $"&dateTo={Uri.EscapeDataString("2026-03-08T02:00:00-03:00")}";
        Assert.Equal([inside], await SearchIdsAsync(cast.Alice, token, window));

        var (_, body) = await cast.Alice.GetAsync($"/api/messages/search?q={token}{window}");
        Assert.Equal("2026-03-08T03:30:00.123Z", body!["data"]![0]!["createdAt"]!.GetValue<string>());
        Assert.Equal([late, inside], await SearchIdsAsync(cast.Alice, token, "&senderType=user&dateFrom=2026-03-08T02:00:00Z"));
        Assert.Contains(early, await SearchIdsAsync(cast.Alice, token, "&dateTo=2026-03-08T01:00:00Z"));
    }

    [Fact]
    public async Task Search_RoomTheCallerIsNotIn_NotFound()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();

        var outsider = await cast.Carol.GetAsync($"/api/messages/search?q=hello&roomId={roomId}");
        var unknown = await cast.Alice.GetAsync("/api/messages/search?q=hello&roomId=no-such-room");

        Assert.Equal((404, "Room not found"), (outsider.Status, outsider.Body!["error"]!.GetValue<string>()));
        Assert.Equal((404, "Room not found"), (unknown.Status, unknown.Body!["error"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("", "q")]
    [InlineData("q=a", "q")]
    [InlineData("q=ab&limit=0", "limit")]
    [InlineData("q=ab&limit=101", "limit")]
    [InlineData("q=ab&limit=x", "limit")]
    [InlineData("q=ab&senderType=robot", "senderType")]
    [InlineData("q=ab&dateFrom=yesterday", "dateFrom")]
    [InlineData("q=ab&dateTo=2026-01-01", "dateTo")]
    [InlineData("q=ab&dateFrom=2026-01-02T00:00:00Z&dateTo=2026-01-01T00:00:00Z", "dateFrom")]
    public async Task Search_BadQuery_ValidationError(string query, string field)
    {
        var cast = await MessageRoutesCast.OfAsync(hub);

        var (status, body) = await cast.Alice.GetAsync($"/api/messages/search?{query}");

        Assert.Equal(400, status);
        Assert.Equal("Validation failed", body!["error"]!.GetValue<string>());
        Assert.Contains(field, body["fields"]!.AsArray().Select(f => f!["field"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Search_QueryOfFiveHundredOneUnits_Refused()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);

        var (okStatus, _) = await cast.Alice.GetAsync($"/api/messages/search?q={new string('x', 500)}");
        var (status, _) = await cast.Alice.GetAsync($"/api/messages/search?q={new string('x', 501)}");

        Assert.Equal(200, okStatus);
        Assert.Equal(400, status);
    }

    /// <summary>
    /// The index can serve the search as the hub sends it: the pattern reaches the planner as one value and the
    /// predicate is a plain ILIKE on the indexed column. A test table is small enough that scanning it (or a whole
    /// b-tree) is cheaper, so those plans are priced out; what remains usable is an index that answers the ILIKE, and
    /// had the predicate been written so the index cannot serve it, the planner would fall back to a priced-out scan.
    /// </summary>
    [Fact]
    public async Task SearchSql_ServedByTheTrigramIndex()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync("big");
        var token = Token();
        await TestSql.ExecuteAsync(hub, """
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, created_at)
            SELECT 'fill-' || g, $1, $2, 'user', 'alice', 'text', 'ordinary chatter number ' || g, now() - g * interval '1 second'
            FROM generate_series(1, 5000) AS g
            """, roomId, cast.Alice.UserId);
        var needle = await Fixture(roomId, cast.Alice, $"the {token} needle", "2026-01-01T00:00:00Z");
        await TestSql.ExecuteAsync(hub, "ANALYZE messages");

        await using var connection = await TestSql.OpenAsync(hub.DatabaseUrl);
        await using (var noSeqScan = new Npgsql.NpgsqlCommand("SET enable_seqscan = off; SET enable_indexscan = off", connection))
        {
            await noSeqScan.ExecuteNonQueryAsync();
        }

        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN " + MessageQueries.SearchSql, connection);
        MessageQueries.AddSearchParameters(
            explain, cast.Alice.UserId, new SearchFilter(MessageReadEndpoints.LikePattern(token), null, null, null, null, null, 20));
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.True(plan.Any(line => line.Contains("messages_content_trgm_idx", StringComparison.Ordinal)), string.Join("\n", plan));
        Assert.Equal([needle], await SearchIdsAsync(cast.Alice, token));
    }

    private static string Token() => "tok" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<List<string>> SearchIdsAsync(Session session, string q, string extra = "")
    {
        var (status, body) = await session.GetAsync($"/api/messages/search?q={Uri.EscapeDataString(q)}{extra}");
        Assert.True(status == 200, $"search: {status} {body}");
        return body!["data"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToList();
    }

    private async Task<string> Fixture(string roomId, Session sender, string content, string createdAt)
    {
        var id = History.RandomId();
        await TestSql.ExecuteAsync(hub, """
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, created_at)
            VALUES ($1, $2, $3, 'user', $4, 'text', $5, $6::timestamptz)
            """, id, roomId, sender.UserId, sender.Username, content, createdAt);
        return id;
    }
}
