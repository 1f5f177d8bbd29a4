using AgentIM.Tests.Support;

namespace AgentIM.Tests.Messages;

/// <summary>
/// The database session runs in America/Sao_Paulo (case B20): stored instants must come back as the same UTC instants,
/// whatever zone PostgreSQL renders them in, and order must hold across a daylight-saving change.
/// </summary>
public sealed class SessionTimeZoneTests(SessionTimeZoneTests.SaoPauloHubFixture hub)
    : IClassFixture<SessionTimeZoneTests.SaoPauloHubFixture>
{
    [Fact]
    public async Task Database_NewSessions_RunInSaoPauloTime()
    {
        // Guards the rest of the class: without it, every test here could pass against a UTC database.
        Assert.Equal("America/Sao_Paulo", await TestSql.ScalarAsync<string>(hub.DatabaseUrl, "SHOW timezone"));
        Assert.Equal(
            "2026-01-05 07:00:00-03",
            await TestSql.ScalarAsync<string>(hub.DatabaseUrl, "SELECT '2026-01-05T10:00:00Z'::timestamptz::text"));
    }

    [Fact]
    public async Task History_RowWrittenInLocalTime_ReadsBackAsSameUtcInstant()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("local");
        var id = History.RandomId();
        // No offset in the literal: PostgreSQL reads it in the session's zone (UTC-3 in January).
        await History.InsertAsync(hub.DatabaseUrl, roomId, alice, [id], "2026-01-05 07:00:00.123");

        var page = await History.PageAsync(alice, roomId, 50);

        Assert.Equal(["2026-01-05T10:00:00.123Z"], page.CreatedAts);
    }

    [Fact]
    public async Task History_RowsAcrossDaylightSavingChange_KeepOrderAndUtcInstants()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("dst");
        var before = History.RandomId();
        var after = History.RandomId();
        await History.InsertAsync(hub.DatabaseUrl, roomId, alice, [after], "2026-03-08 03:00:00.000 America/New_York");
        await History.InsertAsync(hub.DatabaseUrl, roomId, alice, [before], "2026-03-08 01:59:59.999 America/New_York");

        var page = await History.PageAsync(alice, roomId, 50);

        Assert.Equal([after, before], page.Ids);
        Assert.Equal(["2026-03-08T07:00:00.000Z", "2026-03-08T06:59:59.999Z"], page.CreatedAts);
        Assert.Equal([before], (await History.PageAsync(alice, roomId, 50, cursor: page.CreatedAts[0])).Ids);
        Assert.Equal([after], (await History.PageAsync(alice, roomId, 50, after: page.CreatedAts[1])).Ids);
    }

    [Fact]
    public async Task Message_SentOverSocket_CarriesCurrentUtcInstantOnSocketAndRest()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("now");
        await using var client = await WsPeer.ClientAsync(alice, roomId);
        var sentAt = DateTimeOffset.UtcNow;

        await client.SendAsync(new { type = "client:send_message", roomId, content = "tick", mentions = Array.Empty<string>() });
        var createdAt = (await client.WaitForAsync("server:new_message"))["message"]!["createdAt"]!.GetValue<string>();

        Timestamps.AssertNear(sentAt, createdAt);
        Assert.Equal([createdAt], (await History.PageAsync(alice, roomId, 50)).CreatedAts);
        var stored = await TestSql.ScalarAsync<DateTime>(
            hub.DatabaseUrl, "SELECT created_at FROM messages WHERE room_id = $1", roomId);
        Assert.Equal(createdAt, Timestamps.Format(stored));
    }

    [Fact]
    public async Task Room_CreatedAt_IsCurrentUtcInstant()
    {
        var alice = await hub.CreateUserAsync("alice");
        var before = DateTimeOffset.UtcNow;

        var (status, body) = await alice.PostAsync("/api/rooms", new { name = "clock" });

        Assert.Equal(201, status);
        var roomId = body!["data"]!["id"]!.GetValue<string>();
        var (_, detail) = await alice.GetAsync($"/api/rooms/{roomId}");
        var createdAt = detail!["data"]!["createdAt"]!.GetValue<string>();
        Assert.Equal(body["data"]!["createdAt"]!.GetValue<string>(), createdAt);
        Timestamps.AssertNear(before, createdAt);
    }

    [Fact]
    public async Task Login_LockoutAndExpiry_UnaffectedBySessionZone()
    {
        var alice = await hub.CreateUserAsync("alice");
        for (var i = 0; i < 5; i++)
        {
            await hub.PostJsonAsync("/api/auth/login", new { username = alice.Username, password = "Wrong-Pass-1" });
        }

        // Three hours of zone offset in either direction would unlock early or keep the lock long after it expired.
        var refused = await hub.PostJsonAsync("/api/auth/login", new { username = alice.Username, password = HubFixture.UserPassword });
        Assert.Equal(401, refused.Status);
        var lockedFor = await TestSql.ScalarAsync<double>(
            hub.DatabaseUrl, "SELECT extract(epoch FROM locked_until - now())::float8 FROM users WHERE id = $1", alice.UserId);
        Assert.InRange(lockedFor, 14 * 60, 15 * 60 + 5);
    }

    /// <summary>A hub whose database sessions default to America/Sao_Paulo (UTC-3, no daylight saving).</summary>
    public sealed class SaoPauloHubFixture : HubFixture
    {
        protected override async Task OnDatabaseCreatedAsync(string databaseUrl)
        {
            var name = new Uri(databaseUrl).AbsolutePath.Trim('/');
            await TestSql.ExecuteAsync(databaseUrl, $"ALTER DATABASE \"{name}\" SET timezone TO 'America/Sao_Paulo'");
        }
    }
}
