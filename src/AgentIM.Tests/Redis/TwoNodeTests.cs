using System.Diagnostics;
using System.Net.WebSockets;
using AgentIM.Infrastructure.Http;
using AgentIM.Realtime;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Redis;

/// <summary>
/// Two hub nodes behind one Redis behave as one hub (websocket.md §14, issue #5): a client on each node and a
/// gateway on one; messages, chunks, typing, presence and revocation cross nodes, in order, exactly once.
/// </summary>
public sealed class TwoNodeTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    [Fact]
    public async Task Messages_SentOnNodeA_ReachClientOnNodeB_InOrderExactlyOnce()
    {
        var (aliceA, _) = await nodes.CreateUserAsync("alice");
        var (bobA, bobB) = await nodes.CreateUserAsync("bob");
        var roomId = await aliceA.CreateRoomAsync("two-nodes", bobA.UserId);
        await using var alice = await WsPeer.ClientAsync(aliceA, roomId);
        await using var bob = await WsPeer.ClientAsync(bobB, roomId);

        for (var i = 0; i < 20; i++)
        {
            await alice.SendMessageAsync(roomId, $"m{i}");
        }

        await bob.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "m19");
        await alice.PingAsync();
        await bob.PingAsync();
        var contents = bob.All("server:new_message").Select(f => f["message"]!["content"]!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), contents);
        Assert.Equal(20, alice.All("server:new_message").Count());
    }

    [Fact]
    public async Task AgentReply_GatewayOnNodeB_UserOnNodeA_SendToAgentAndChunksCrossInOrderOnce()
    {
        var (aliceA, aliceB) = await nodes.CreateUserAsync("alice");
        var roomId = await aliceA.CreateRoomAsync("agents");
        var agentId = Unique.Id("ag");
        await using var gateway = await WsPeer.GatewayAsync(aliceB, Unique.Id("gw"), (agentId, "dev"));
        await aliceA.AddMemberAsync(roomId, agentId, "agent");
        await using var alice = await WsPeer.ClientAsync(aliceA, roomId);

        await alice.SendMessageAsync(roomId, "@dev hello");
        var send = await gateway.WaitForAsync("server:send_to_agent");
        Assert.Equal(agentId, send["agentId"]!.GetValue<string>());
        Assert.Equal("@dev hello", send["content"]!.GetValue<string>());

        var replyId = Unique.Id("resp");
        for (var i = 0; i < 10; i++)
        {
            await gateway.SendAsync(new
            {
                type = "gateway:message_chunk", roomId, agentId, messageId = replyId, chunk = new { type = "text", content = $"c{i}" },
            });
        }

        await gateway.SendAsync(new { type = "gateway:message_complete", roomId, agentId, messageId = replyId, fullContent = "done" });
        var complete = await alice.WaitForAsync("server:message_complete");
        Assert.Equal("done", complete["message"]!["content"]!.GetValue<string>());
        await gateway.PingAsync("gateway:ping");
        await alice.PingAsync();

        var chunks = alice.All("server:message_chunk").Select(f => f["chunk"]!["content"]!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"c{i}"), chunks);
        Assert.Single(alice.All("server:message_complete"));
        Assert.Single(gateway.All("server:send_to_agent"));
    }

    [Fact]
    public async Task TypingAndPresence_FromNodeA_ReachNodeBOnce()
    {
        var (aliceA, _) = await nodes.CreateUserAsync("alice");
        var (bobA, bobB) = await nodes.CreateUserAsync("bob");
        var roomId = await aliceA.CreateRoomAsync("typing", bobA.UserId);
        await using var bob = await WsPeer.ClientAsync(bobB, roomId);
        await using var alice = await WsPeer.ClientAsync(aliceA, roomId);

        var online = await bob.WaitForAsync("server:presence", f => f["userId"]!.GetValue<string>() == aliceA.UserId);
        Assert.True(online["online"]!.GetValue<bool>());

        await alice.SendAsync(new { type = "client:typing", roomId });
        var typing = await bob.WaitForAsync("server:typing", f => f["userId"]!.GetValue<string>() == aliceA.UserId);
        Assert.Equal(roomId, typing["roomId"]!.GetValue<string>());
        await alice.PingAsync();
        await bob.PingAsync();
        Assert.Single(bob.All("server:typing", f => f["userId"]!.GetValue<string>() == aliceA.UserId));
        Assert.Single(bob.All("server:presence", f => f["userId"]!.GetValue<string>() == aliceA.UserId));
    }

    [Fact]
    public async Task PermissionRequest_GatewayOnNodeB_AnsweredOnNodeA_OneOutcome()
    {
        var (aliceA, aliceB) = await nodes.CreateUserAsync("alice");
        var roomId = await aliceA.CreateRoomAsync("perms");
        var agentId = Unique.Id("ag");
        await using var gateway = await WsPeer.GatewayAsync(aliceB, Unique.Id("gw"), (agentId, "dev"));
        await aliceA.AddMemberAsync(roomId, agentId, "agent");
        await using var alice = await WsPeer.ClientAsync(aliceA, roomId);
        var requestId = Unique.Id("perm");

        await gateway.SendAsync(new
        {
            type = "gateway:permission_request", requestId, agentId, roomId, toolName = "Bash",
            toolInput = new System.Text.Json.Nodes.JsonObject { ["command"] = "ls" }, timeoutMs = 300_000,
        });
        await alice.WaitForAsync("server:permission_request", f => f["requestId"]!.GetValue<string>() == requestId);
        await alice.SendAsync(new { type = "client:permission_response", requestId, decision = "allow" });
        await alice.SendAsync(new { type = "client:permission_response", requestId, decision = "deny" });

        var answer = await gateway.WaitForAsync("server:permission_response");
        Assert.Equal("allow", answer["decision"]!.GetValue<string>());
        await alice.PingAsync();
        await gateway.PingAsync("gateway:ping");
        Assert.Single(gateway.All("server:permission_response"));
        Assert.Equal("", (await nodes.Redis.CliAsync("GET", $"perm:{requestId}")).Trim());
    }

    [Fact]
    public async Task PasswordChangeOnNodeA_ClosesClientAndGatewayOnNodeB_WithinASecond()
    {
        var admin = await nodes.A.LoginAdminAsync();
        var (bobA, bobB) = await nodes.CreateUserAsync("bob");
        await using var bobClient = await WsPeer.ClientAsync(bobB);
        await using var bobGateway = await WsPeer.GatewayAsync(bobB, Unique.Id("gw"));

        var clock = Stopwatch.StartNew();
        var (status, body) = await admin.PutAsync($"/api/users/{bobA.UserId}", new { password = "Reset-Pass-77" });
        Assert.True(status == 200, $"{status} {body}");

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await bobClient.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await bobGateway.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"closed after {clock.ElapsedMilliseconds} ms");
        Assert.Single(bobClient.All("server:error", f => f["code"]!.GetValue<string>() == "SESSION_REVOKED"));
        Assert.Equal("Session revoked", bobClient.CloseDescription);

        var (refused, _) = await bobB.GetAsync("/api/users/me");
        Assert.Equal(401, refused);
    }

    [Fact]
    public async Task LogoutOnNodeA_ClosesThatSessionsSocketOnNodeB_OnlyThatOne()
    {
        var (bobA, bobB) = await nodes.CreateUserAsync("bob");
        await using var sameSession = await WsPeer.ClientAsync(bobA with { Hub = nodes.B });
        await using var otherSession = await WsPeer.ClientAsync(bobB);

        var (status, _) = await bobA.PostAsync("/api/auth/logout", new { });
        Assert.Equal(200, status);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await sameSession.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        await otherSession.PingAsync();
        Assert.Equal(WebSocketState.Open, otherSession.State);
    }

    [Fact]
    public async Task ClientFrameLimit_IsSharedByTheUsersSocketsOnBothNodes()
    {
        var (aliceA, aliceB) = await nodes.CreateUserAsync("alice");
        var roomId = await aliceA.CreateRoomAsync("limits");
        await using var onA = await WsPeer.ClientAsync(aliceA, roomId);
        await using var onB = await WsPeer.ClientAsync(aliceB, roomId);

        // The joins counted one frame each; 25 more on each node is 52 against a budget of 40.
        for (var i = 0; i < 25; i++)
        {
            await onA.SendAsync(new { type = "client:typing", roomId });
        }

        await onA.PingAsync();
        for (var i = 0; i < 25; i++)
        {
            await onB.SendAsync(new { type = "client:typing", roomId });
        }

        await onB.PingAsync();
        Assert.Empty(onA.All("server:error"));
        var limited = onB.All("server:error", f => f["code"]!.GetValue<string>() == "RATE_LIMITED").Count();
        Assert.Equal(52 - TwoNodeFixture.ClientRateLimitMax, limited);
        Assert.Equal("52", (await nodes.Redis.CliAsync("GET", $"ws:rate:{aliceA.UserId}")).Trim());
    }

    [Fact]
    public async Task HttpCounters_HitOnBothNodes_CountOneWindow()
    {
        var key = Unique.Id("bucket");
        var onA = nodes.A.Services.GetRequiredService<RateLimitCounters>();
        var onB = nodes.B.Services.GetRequiredService<RateLimitCounters>();

        Assert.True((await onA.HitAsync(key, 3, TimeSpan.FromSeconds(60))).Allowed);
        Assert.True((await onB.HitAsync(key, 3, TimeSpan.FromSeconds(60))).Allowed);
        var third = await onA.HitAsync(key, 3, TimeSpan.FromSeconds(60));
        var fourth = await onB.HitAsync(key, 3, TimeSpan.FromSeconds(60));

        Assert.True(third.Allowed);
        Assert.Equal(0, third.Remaining);
        Assert.False(fourth.Allowed);
        Assert.InRange(fourth.RetryAfter, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        var ttl = long.Parse((await nodes.Redis.CliAsync("PTTL", $"rl:{key}")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 1, 60_000);
    }

    [Fact]
    public async Task LoopDetection_AgentsVisitedOnEitherNode_AreOneSet()
    {
        var conversation = Unique.Id("conv");
        await nodes.A.Services.GetRequiredService<AgentChains>().AddVisitedAsync(conversation, "agent-1");
        var visited = await nodes.B.Services.GetRequiredService<AgentChains>().AddVisitedAsync(conversation, "agent-2");

        Assert.Equal(["agent-1", "agent-2"], visited.Order(StringComparer.Ordinal));
        var ttl = long.Parse(
            (await nodes.Redis.CliAsync("TTL", $"conv:{conversation}:visited")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 1, 300);
    }

    [Fact]
    public async Task AdminMetrics_WithRedisConfigured_ReportRedisEnabled()
    {
        var admin = await nodes.A.LoginAdminAsync();

        var (status, body) = await admin.GetAsync("/api/admin/metrics");

        Assert.Equal(200, status);
        Assert.True(body!["data"]!["infrastructure"]!["redisEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task StreamReplay_GatewayOnNodeB_TabJoiningOnNodeA_GetsTheChunksSoFarThenTheRest()
    {
        var (aliceA, aliceB) = await nodes.CreateUserAsync("alice");
        var roomId = await aliceA.CreateRoomAsync("replay");
        var agentId = Unique.Id("ag");
        await using var gateway = await WsPeer.GatewayAsync(aliceB, Unique.Id("gw"), (agentId, "dev"));
        await aliceA.AddMemberAsync(roomId, agentId, "agent");
        await using var watcher = await WsPeer.ClientAsync(aliceA, roomId);
        var replyId = Unique.Id("resp");
        for (var i = 0; i < 3; i++)
        {
            await gateway.SendAsync(new
            {
                type = "gateway:message_chunk", roomId, agentId, messageId = replyId, chunk = new { type = "text", content = $"c{i}" },
            });
        }

        await watcher.WaitForAsync("server:message_chunk", f => f["chunk"]!["content"]!.GetValue<string>() == "c2");
        await using var late = await WsPeer.ClientAsync(aliceA, roomId);
        await gateway.SendAsync(new
        {
            type = "gateway:message_chunk", roomId, agentId, messageId = replyId, chunk = new { type = "text", content = "c3" },
        });
        await late.WaitForAsync("server:message_chunk", f => f["chunk"]!["content"]!.GetValue<string>() == "c3");

        var seen = late.All("server:message_chunk").Select(f => f["chunk"]!["content"]!.GetValue<string>()).ToList();
        Assert.Equal(["c0", "c1", "c2", "c3"], seen);
    }
}
