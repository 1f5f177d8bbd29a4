using AgentIM.Maintenance;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Maintenance;

/// <summary>
/// The tables that only grow are trimmed (behaviour.md §3, §6, data-model.md §2.19): expired tokens and revocations,
/// audit rows past retention, gateways offline past the limit with their agents and memberships. Each pass is run
/// directly; its timer is a boot-time interval.
/// </summary>
public sealed class HousekeepingTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private Housekeeping Housekeeping => hub.Services.GetRequiredService<Housekeeping>();

    [Fact]
    public async Task PurgeTokens_RemovesExpiredRows_KeepsLiveOnes()
    {
        var alice = await hub.CreateUserAsync("alice");
        var expired = Unique.Id("hash");
        var live = Unique.Id("hash");
        foreach (var (hash, offset) in new[] { (expired, "-1 hour"), (live, "+1 hour") })
        {
            await TestSql.ExecuteAsync(
                hub,
                "INSERT INTO refresh_tokens (id, user_id, token_hash, session_id, expires_at, created_at) "
                + $"VALUES ($1, $2, $3, $1, now() + interval '{offset}', now())",
                Unique.Id("rt"), alice.UserId, hash);
            await TestSql.ExecuteAsync(
                hub,
                $"INSERT INTO revoked_tokens (id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '{offset}')",
                Unique.Id("rv"), alice.UserId, hash);
        }

        var (refresh, revoked) = await Housekeeping.PurgeTokensAsync(CancellationToken.None);

        Assert.True(refresh >= 1);
        Assert.True(revoked >= 1);
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM refresh_tokens WHERE token_hash = $1", expired));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM revoked_tokens WHERE token_hash = $1", expired));
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM refresh_tokens WHERE token_hash = $1", live));
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM revoked_tokens WHERE token_hash = $1", live));
    }

    [Fact]
    public async Task PurgeAudit_RemovesRowsPastRetention_KeepsRecentOnes()
    {
        var old = Unique.Id("audit");
        var recent = Unique.Id("audit");
        await TestSql.ExecuteAsync(
            hub, "INSERT INTO audit_logs (id, action, created_at) VALUES ($1, 'login', now() - interval '91 days')", old);
        await TestSql.ExecuteAsync(
            hub, "INSERT INTO audit_logs (id, action, created_at) VALUES ($1, 'login', now() - interval '89 days')", recent);

        var removed = await Housekeeping.PurgeAuditAsync(CancellationToken.None);

        Assert.True(removed >= 1);
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM audit_logs WHERE id = $1", old));
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM audit_logs WHERE id = $1", recent));
    }

    [Fact]
    public async Task PurgeGateways_RemovesLongOfflineGatewayWithAgentsAndMemberships_RoomHearsOfIt()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("zombies");
        var (zombieGateway, zombieAgent) = (Unique.Id("gw"), Unique.Id("ag"));
        var (liveGateway, liveAgent) = (Unique.Id("gw"), Unique.Id("ag"));
        await using (var gone = await WsPeer.GatewayAsync(alice, zombieGateway, (zombieAgent, Unique.Id("old"))))
        {
            await alice.AddMemberAsync(roomId, zombieAgent, "agent");
        }

        await using var live = await WsPeer.GatewayAsync(alice, liveGateway, (liveAgent, Unique.Id("new")));
        await alice.AddMemberAsync(roomId, liveAgent, "agent");
        await Eventually.AssertAsync(
            async () => await TestSql.CountAsync(
                hub, "SELECT count(*) FROM gateways WHERE id = $1 AND disconnected_at IS NOT NULL", zombieGateway) == 1,
            "the closed gateway is marked disconnected");
        await TestSql.ExecuteAsync(
            hub,
            "UPDATE gateways SET connected_at = now() - interval '41 days', disconnected_at = now() - interval '40 days' WHERE id = $1",
            zombieGateway);
        // Connected for 40 days: old, but online, so it stays.
        await TestSql.ExecuteAsync(hub, "UPDATE gateways SET connected_at = now() - interval '40 days' WHERE id = $1", liveGateway);
        await using var client = await WsPeer.ClientAsync(alice, roomId);

        var removed = await Housekeeping.PurgeGatewaysAsync(CancellationToken.None);

        Assert.Equal(1, removed);
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM gateways WHERE id = $1", zombieGateway));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM agents WHERE id = $1", zombieAgent));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM room_members WHERE member_id = $1", zombieAgent));
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM room_members WHERE member_id = $1", liveAgent));
        await client.WaitForAsync(
            "server:room_update", f => f["members"]!.AsArray().All(m => m!["memberId"]!.GetValue<string>() != zombieAgent));
        await live.WaitForAsync("server:room_context", f => f["context"]?["members"]?.AsArray().All(
            m => m!["id"]!.GetValue<string>() != zombieAgent) == true);
    }
}
