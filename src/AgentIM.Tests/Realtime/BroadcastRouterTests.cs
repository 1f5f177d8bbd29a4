using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Crypto;
using AgentIM.Realtime;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Realtime;

/// <summary>A hub allowed to call routers on loopback (development only), so tests can run their own fake LLM.</summary>
public sealed class LoopbackRouterHubFixture : HubFixture
{
    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["ROUTER_ALLOW_LOOPBACK"] = "true",
    };
}

/// <summary>
/// The AI router of broadcast rooms (behaviour.md §1.3) against a fake OpenAI-compatible LLM on loopback: an
/// unmentioned message goes to the LLM, which picks agents; mentions bypass it; failures route to nobody; after
/// five failures the circuit opens and the LLM is not called; a slow LLM times out without holding the socket.
/// </summary>
public sealed class BroadcastRouterTests(LoopbackRouterHubFixture hub) : IClassFixture<LoopbackRouterHubFixture>
{
    [Fact]
    public async Task Unmentioned_BroadcastRoomWithSystemRouter_SentToTheAgentsTheLlmChose()
    {
        await using var llm = await FakeLlm.StartAsync();
        await UseSystemRouterAsync(llm, timeoutMs: 15_000);
        await using var stage = await BroadcastStageAsync("dev", "qa");
        llm.Reply = (200, FakeLlm.Answer($"[\"{stage.AgentIds["qa"]}\", \"not-in-room\"]"), TimeSpan.Zero);
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await client.SendMessageAsync(stage.RoomId, "who can test this?");

        var sent = await stage.Gateway.WaitForAsync("server:send_to_agent");
        Assert.Equal(stage.AgentIds["qa"], sent["agentId"]!.GetValue<string>());
        Assert.Equal("broadcast", sent["routingMode"]!.GetValue<string>());
        Assert.Equal("who can test this?", sent["content"]!.GetValue<string>());
        await stage.Gateway.PingAsync("gateway:ping");
        Assert.Single(stage.Gateway.All("server:send_to_agent"));
        var (body, authorization) = Assert.Single(llm.Requests);
        Assert.Equal("Bearer sk-fake-key", authorization);
        Assert.Equal("router-model", body["model"]!.GetValue<string>());
        var messages = body["messages"]!.AsArray();
        Assert.Equal(["developer", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        var listing = messages[1]!["content"]!.GetValue<string>();
        Assert.Contains(stage.AgentIds["dev"], listing, StringComparison.Ordinal);
        Assert.Contains(stage.AgentIds["qa"], listing, StringComparison.Ordinal);
        Assert.Contains("who can test this?", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mentioned_BroadcastRoom_DirectWithoutAskingTheLlm()
    {
        await using var llm = await FakeLlm.StartAsync();
        await UseSystemRouterAsync(llm, timeoutMs: 15_000);
        await using var stage = await BroadcastStageAsync("dev", "qa");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await client.SendMessageAsync(stage.RoomId, "@dev only you");

        var sent = await stage.Gateway.WaitForAsync("server:send_to_agent");
        Assert.Equal("direct", sent["routingMode"]!.GetValue<string>());
        Assert.Empty(llm.Requests);
    }

    [Fact]
    public async Task Unmentioned_NotBroadcastRoom_LlmNotAsked()
    {
        await using var llm = await FakeLlm.StartAsync();
        await UseSystemRouterAsync(llm, timeoutMs: 15_000);
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await client.SendMessageAsync(stage.RoomId, "just chatting");
        await client.WaitForAsync("server:new_message");
        await client.PingAsync();
        await stage.Gateway.PingAsync("gateway:ping");

        Assert.Empty(llm.Requests);
        Assert.Empty(stage.Gateway.All("server:send_to_agent"));
    }

    [Fact]
    public async Task LlmFailsFiveTimes_CircuitOpens_SixthMessageNotSentToTheLlm()
    {
        await using var llm = await FakeLlm.StartAsync();
        await UseSystemRouterAsync(llm, timeoutMs: 15_000);
        llm.Reply = (500, "{\"error\":\"down\"}", TimeSpan.Zero);
        await using var stage = await BroadcastStageAsync("dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        for (var i = 1; i <= BroadcastRouter.FailuresToOpen; i++)
        {
            await client.SendMessageAsync(stage.RoomId, $"attempt {i}");
            var expected = i;
            await Eventually.AssertAsync(() => Task.FromResult(llm.Requests.Count == expected), $"LLM call {i}");
        }

        llm.Reply = (200, FakeLlm.Answer($"[\"{stage.AgentIds["dev"]}\"]"), TimeSpan.Zero);
        await client.SendMessageAsync(stage.RoomId, "attempt 6");
        await client.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "attempt 6");
        await Task.Delay(500);
        await stage.Gateway.PingAsync("gateway:ping");

        Assert.Equal(BroadcastRouter.FailuresToOpen, llm.Requests.Count);
        Assert.Empty(stage.Gateway.All("server:send_to_agent"));
        Assert.Equal(6, client.All("server:new_message").Count());
        Assert.Empty(client.All("server:error"));
    }

    [Fact]
    public async Task SlowLlm_TimesOutRoutesNobodyAndTheSocketKeepsWorking()
    {
        await using var llm = await FakeLlm.StartAsync();
        await UseSystemRouterAsync(llm, timeoutMs: 1000);
        llm.Reply = (200, FakeLlm.Answer("[]"), TimeSpan.FromSeconds(30));
        await using var stage = await BroadcastStageAsync("dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await client.SendMessageAsync(stage.RoomId, "anyone?");
        await client.SendMessageAsync(stage.RoomId, "@dev you, then");

        // The mention is routed while the LLM still thinks: the router call does not hold the socket's frames.
        var sent = await stage.Gateway.WaitForAsync("server:send_to_agent", timeout: TimeSpan.FromSeconds(5));
        Assert.Equal("direct", sent["routingMode"]!.GetValue<string>());
        await Task.Delay(2000);
        await stage.Gateway.PingAsync("gateway:ping");
        Assert.Single(stage.Gateway.All("server:send_to_agent"));
    }

    [Fact]
    public async Task MalformedLlmReply_RoutesNobody()
    {
        await using var llm = await FakeLlm.StartAsync();
        await UseSystemRouterAsync(llm, timeoutMs: 15_000);
        llm.Reply = (200, "{\"choices\":[{\"message\":{\"content\":\"I think dev should answer\"}}]}", TimeSpan.Zero);
        await using var stage = await BroadcastStageAsync("dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await client.SendMessageAsync(stage.RoomId, "hello?");
        await Eventually.AssertAsync(() => Task.FromResult(!llm.Requests.IsEmpty), "the LLM was asked");
        await Task.Delay(300);
        await stage.Gateway.PingAsync("gateway:ping");

        Assert.Empty(stage.Gateway.All("server:send_to_agent"));
    }

    [Fact]
    public async Task RoomRouter_PersonalRouterOfTheCreator_UsedInsteadOfTheSystemRouter()
    {
        await using var system = await FakeLlm.StartAsync();
        await using var own = await FakeLlm.StartAsync();
        await UseSystemRouterAsync(system, timeoutMs: 15_000);
        await using var stage = await BroadcastStageAsync("dev");
        own.Reply = (200, FakeLlm.Answer($"[\"{stage.AgentIds["dev"]}\"]"), TimeSpan.Zero);
        var box = hub.Services.GetRequiredService<SecretBox>();
        var routerId = Unique.Id("rt");
        await TestSql.ExecuteAsync(
            hub,
            """
            INSERT INTO routers (id, name, scope, created_by_id, llm_base_url, llm_api_key, llm_model, created_at, updated_at)
            VALUES ($1, $1, 'personal', $2, $3, $4, 'own-model', now(), now())
            """,
            routerId, stage.Owner.UserId, own.BaseUrl, box.Encrypt("sk-own"));
        Assert.Equal(1, await TestSql.ExecuteAsync(hub, "UPDATE rooms SET router_id = $1 WHERE id = $2", routerId, stage.RoomId));
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await client.SendMessageAsync(stage.RoomId, "routed by my own router");

        var sent = await stage.Gateway.WaitForAsync("server:send_to_agent");
        Assert.Equal(stage.AgentIds["dev"], sent["agentId"]!.GetValue<string>());
        var (body, authorization) = Assert.Single(own.Requests);
        Assert.Equal("Bearer sk-own", authorization);
        Assert.Equal("own-model", body["model"]!.GetValue<string>());
        Assert.Empty(system.Requests);
    }

    private async Task UseSystemRouterAsync(FakeLlm llm, int timeoutMs)
    {
        var admin = await hub.LoginAdminAsync();
        var (status, body) = await admin.PutAsync("/api/admin/settings", new
        {
            changes = new Dictionary<string, object>
            {
                ["router.llm.baseUrl"] = llm.BaseUrl,
                ["router.llm.apiKey"] = "sk-fake-key",
                ["router.llm.model"] = "router-model",
                ["router.llm.timeout"] = timeoutMs,
            },
        });
        Assert.True(status == 200, $"settings: {status} {body}");
    }

    private async Task<AgentRoom> BroadcastStageAsync(params string[] agents)
    {
        var stage = await AgentRoom.CreateAsync(hub, agents);
        var (status, body) = await stage.Owner.PutAsync($"/api/rooms/{stage.RoomId}", new { broadcastMode = true });
        Assert.True(status == 200, $"broadcast mode: {status} {body}");
        return stage;
    }
}

/// <summary>
/// Production safety of the router call: without <c>ROUTER_ALLOW_LOOPBACK</c> an LLM on loopback is never reached
/// (the address is re-checked at connect time), and production refuses to start with the switch on.
/// </summary>
public sealed class BroadcastRouterSafetyTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task SystemRouterOnLoopback_SwitchOff_NeverConnectedAndNobodyRouted()
    {
        await using var llm = await FakeLlm.StartAsync();
        var admin = await hub.LoginAdminAsync();
        var (status, _) = await admin.PutAsync("/api/admin/settings", new
        {
            changes = new Dictionary<string, object> { ["router.llm.baseUrl"] = llm.BaseUrl, ["router.llm.apiKey"] = "sk-fake-key" },
        });
        Assert.Equal(200, status);
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        Assert.Equal(200, (await stage.Owner.PutAsync($"/api/rooms/{stage.RoomId}", new { broadcastMode = true })).Status);
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await client.SendMessageAsync(stage.RoomId, "anyone there?");
        await client.WaitForAsync("server:new_message");
        await Task.Delay(1000);
        await stage.Gateway.PingAsync("gateway:ping");

        Assert.Empty(llm.Requests);
        Assert.Empty(stage.Gateway.All("server:send_to_agent"));
    }

    [Fact]
    public void Production_WithLoopbackRoutersAllowed_RefusesToStart()
    {
        var env = new Dictionary<string, string>
        {
            ["AGENTIM_ENV"] = "production",
            ["JWT_SECRET"] = new string('j', 40),
            ["ENCRYPTION_KEY"] = new string('e', 40),
            ["ROUTER_ALLOW_LOOPBACK"] = "true",
        };

        var error = Assert.Throws<ConfigException>(() => HubConfig.FromEnvironment(env));
        Assert.Equal("ROUTER_ALLOW_LOOPBACK", error.Variable);
    }
}
