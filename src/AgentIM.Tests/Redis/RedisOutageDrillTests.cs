using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using AgentIM.Redis;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Redis;

/// <summary>
/// Case B22: the private Redis of this class is stopped (<c>redis-cli shutdown nosave</c>) mid-conversation and
/// started again on the same port. Nothing crashes, blocks or is lost, each node keeps serving its own sockets and
/// counting limits itself, and shared mode comes back by itself: cross-node delivery again, each frame once.
/// </summary>
public sealed class RedisOutageDrillTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task RedisStoppedMidConversation_LocalServiceContinues_SharedModeResumesAfterRestart()
    {
        var (aliceA, _) = await nodes.CreateUserAsync("alice");
        var (bobA, bobB) = await nodes.CreateUserAsync("bob");
        var (carolA, _) = await nodes.CreateUserAsync("carol");
        var (daveA, _) = await nodes.CreateUserAsync("dave");
        var roomId = await aliceA.CreateRoomAsync("drill", bobA.UserId, carolA.UserId, daveA.UserId);
        await using var alice = await WsPeer.ClientAsync(aliceA, roomId);
        await using var bob = await WsPeer.ClientAsync(bobB, roomId);
        await using var carol = await WsPeer.ClientAsync(carolA, roomId);
        await using var dave = await WsPeer.ClientAsync(daveA, roomId);
        await alice.SendMessageAsync(roomId, "baseline");
        await bob.WaitForAsync("server:new_message", f => Content(f) == "baseline");

        await nodes.Redis.ShutdownAsync();
        try
        {
            await Eventually.AssertAsync(
                () => Task.FromResult(!IsAvailable(nodes.A) && !IsAvailable(nodes.B)), "both nodes noticed the outage");
            await DuringOutageAsync(roomId, aliceA, bobB, alice, bob, carol, dave);
        }
        finally
        {
            await nodes.Redis.LaunchAsync();
        }

        await nodes.WaitUntilSharedAsync();
        await Eventually.AssertAsync(
            async () =>
            {
                var probe = Unique.Id("probe");
                await alice.SendMessageAsync(roomId, probe);
                var arrived = await bob.TryWaitForAsync("server:new_message", f => Content(f) == probe, TimeSpan.FromMilliseconds(500));
                return arrived is not null;
            },
            "a message from node A reaches node B again",
            TimeSpan.FromSeconds(30));

        await alice.SendMessageAsync(roomId, "after");
        await bob.WaitForAsync("server:new_message", f => Content(f) == "after");
        await carol.WaitForAsync("server:new_message", f => Content(f) == "after");
        await alice.PingAsync();
        await bob.PingAsync();
        await carol.PingAsync();
        Assert.Single(bob.All("server:new_message", f => Content(f) == "after"));
        Assert.Single(carol.All("server:new_message", f => Content(f) == "after"));

        var admin = await nodes.A.LoginAdminAsync();
        Assert.Equal(200, (await admin.PutAsync($"/api/users/{bobA.UserId}", new { password = "Reset-Pass-77" })).Status);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await bob.WaitForCloseAsync(TimeSpan.FromSeconds(5)));
        Assert.Single(bob.All("server:error", f => f["code"]!.GetValue<string>() == "SESSION_REVOKED"));
    }

    [Fact]
    public async Task NodeStartedWhileRedisIsDown_Serves_ThenAttachesWhenRedisComesUp()
    {
        var (aliceA, _) = await nodes.CreateUserAsync("alice");
        var roomId = await aliceA.CreateRoomAsync("late-node");
        await nodes.Redis.ShutdownAsync();
        NodeFixture? late = null;
        try
        {
            late = new NodeFixture(nodes.Redis.Url, new Dictionary<string, string>(), nodes.A.DatabaseUrl, nodes.A.Config.JwtSecret);
            await late.InitializeAsync();
            var aliceLate = await late.LoginAsync(aliceA.Username, HubFixture.UserPassword);
            var (status, health) = await GetAsync(late, "/api/health");
            Assert.Equal(503, status);
            Assert.False(health!["checks"]!["redis"]!.GetValue<bool>());
            Assert.True(health["checks"]!["database"]!.GetValue<bool>());

            await using var onLate = await WsPeer.ClientAsync(aliceLate, roomId);
            await nodes.Redis.LaunchAsync();
            await Eventually.AssertAsync(
                () => Task.FromResult(late.Services.GetRequiredService<ClusterFanOut>().IsSubscribed),
                "the late node attached",
                TimeSpan.FromSeconds(30));
            await nodes.WaitUntilSharedAsync();

            await using var onA = await WsPeer.ClientAsync(aliceA, roomId);
            await Eventually.AssertAsync(
                async () =>
                {
                    var probe = Unique.Id("probe");
                    await onA.SendMessageAsync(roomId, probe);
                    var arrived = await onLate.TryWaitForAsync(
                        "server:new_message", f => Content(f) == probe, TimeSpan.FromMilliseconds(500));
                    return arrived is not null;
                },
                "node A reaches the node that started during the outage",
                TimeSpan.FromSeconds(30));
        }
        finally
        {
            if ((await nodes.Redis.CliAsync("PING")).Trim() != "PONG")
            {
                await nodes.Redis.LaunchAsync();
            }

            if (late is not null)
            {
                await late.DisposeAsync();
            }
        }
    }

    private async Task DuringOutageAsync(
        string roomId, Session aliceA, Session bobB, WsPeer alice, WsPeer bob, WsPeer carol, WsPeer dave)
    {
        for (var i = 0; i < 10; i++)
        {
            await alice.SendMessageAsync(roomId, $"out{i}");
        }

        await bob.SendMessageAsync(roomId, "bob-local");
        await bob.WaitForAsync("server:new_message", f => Content(f) == "bob-local");
        await carol.WaitForAsync("server:new_message", f => Content(f) == "out9");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"out{i}"),
            carol.All("server:new_message").Select(Content).Where(c => c.StartsWith("out", StringComparison.Ordinal)));

        // Stored, and REST answers without waiting on Redis.
        var clock = Stopwatch.StartNew();
        var (historyStatus, history) = await aliceA.GetAsync($"/api/messages/rooms/{roomId}?limit=50");
        Assert.Equal(200, historyStatus);
        Assert.True(clock.Elapsed < CallDeadline, $"history took {clock.ElapsedMilliseconds} ms");
        var stored = history!["data"]!["items"]!.AsArray().Select(m => m!["content"]!.GetValue<string>()).ToList();
        Assert.All(Enumerable.Range(0, 10), i => Assert.Contains($"out{i}", stored));
        Assert.Contains("bob-local", stored);

        clock.Restart();
        await nodes.B.LoginAsync(bobB.Username, HubFixture.UserPassword);
        Assert.True(clock.Elapsed < CallDeadline, $"login took {clock.ElapsedMilliseconds} ms");

        // Limits still bite, counted on the node alone.
        for (var i = 0; i < TwoNodeFixture.ClientRateLimitMax + 5; i++)
        {
            await dave.SendAsync(new { type = "client:typing", roomId });
        }

        await dave.PingAsync();
        Assert.NotEmpty(dave.All("server:error", f => f["code"]!.GetValue<string>() == "RATE_LIMITED"));

        await Eventually.AssertAsync(
            async () =>
            {
                var (status, health) = await GetAsync(nodes.A, "/api/health");
                return status == 503 && health!["checks"]!["redis"]!.GetValue<bool>() == false;
            },
            "health reports Redis down");
        var (_, metrics) = await GetAsync(nodes.A, "/api/metrics");
        var text = metrics!.GetValue<string>();
        Assert.Contains("agentim_redis_up 0", text);
        Assert.DoesNotContain("agentim_redis_fallbacks_total 0\n", text);
    }

    private static async Task<(int Status, JsonNode? Body)> GetAsync(HubFixture node, string path)
    {
        using var response = await node.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            body = JsonValue.Create(text);
        }

        return ((int)response.StatusCode, body);
    }

    private static bool IsAvailable(HubFixture node) => node.Services.GetRequiredService<RedisConnection>().IsAvailable;

    private static string Content(JsonObject frame) => frame["message"]!["content"]!.GetValue<string>();
}
