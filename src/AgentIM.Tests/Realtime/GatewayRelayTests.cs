using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Credential, OAuth and spawn relays between a user's sockets and their gateway (websocket.md §4–§7). Only the
/// gateway's owner reaches it (behaviour.md §15.2): anyone else is told it is offline and the gateway hears nothing.
/// </summary>
public sealed class GatewayRelayTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task ListCredentials_Owner_RelayedBothWays()
    {
        await using var stage = await AgentRoom.CreateAsync(hub);
        await using var client = await WsPeer.ClientAsync(stage.Owner);

        await client.SendAsync(new { type = "client:list_gateway_credentials", gatewayId = stage.GatewayId, agentType = "claude-code" });
        var request = await stage.Gateway.WaitForAsync("server:list_credentials");
        Assert.Equal("claude-code", request["agentType"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(request["requestId"]!.GetValue<string>()));

        await stage.Gateway.SendAsync(new
        {
            type = "gateway:credential_list", requestId = request["requestId"]!.GetValue<string>(), agentType = "claude-code",
            credentials = new[]
            {
                new
                {
                    id = "c1", name = "work", mode = "api", hasApiKey = true, hasOAuthData = false, isDefault = true,
                    createdAt = "2026-01-05T10:00:00.000Z",
                },
            },
        });
        var list = await client.WaitForAsync("server:gateway_credential_list");
        Assert.Equal(stage.GatewayId, list["gatewayId"]!.GetValue<string>());
        Assert.Equal("c1", list["credentials"]![0]!["id"]!.GetValue<string>());
        Assert.False(list.ContainsKey("requestId"));
    }

    [Fact]
    public async Task CredentialRelay_NotTheOwner_GatewayOfflineAndNothingSent()
    {
        await using var stage = await AgentRoom.CreateAsync(hub);
        var eve = await TestUsers.CreateAsync(hub, "eve");
        await using var eveSocket = await WsPeer.ClientAsync(eve);

        await eveSocket.SendAsync(new
        {
            type = "client:add_gateway_credential", gatewayId = stage.GatewayId, agentType = "codex", name = "mine", apiKey = "sk-1",
        });
        await eveSocket.ExpectErrorAsync("GATEWAY_OFFLINE", "Gateway is offline");
        await eveSocket.SendAsync(
            new { type = "client:start_gateway_oauth", gatewayId = stage.GatewayId, agentType = "codex", credentialName = "x" });
        var oauth = await eveSocket.WaitForAsync("server:gateway_oauth_result");
        Assert.False(oauth["success"]!.GetValue<bool>());
        Assert.Equal("Gateway is offline", oauth["error"]!.GetValue<string>());

        await stage.Gateway.PingAsync("gateway:ping");
        Assert.Empty(stage.Gateway.All("server:add_credential"));
        Assert.Empty(stage.Gateway.All("server:start_oauth"));
    }

    [Fact]
    public async Task AddCredential_ApiModeWithoutKey_InvalidRequest()
    {
        await using var stage = await AgentRoom.CreateAsync(hub);
        await using var client = await WsPeer.ClientAsync(stage.Owner);

        await client.SendAsync(
            new { type = "client:add_gateway_credential", gatewayId = stage.GatewayId, agentType = "codex", name = "k" });

        await client.ExpectErrorAsync("INVALID_REQUEST", "API key is required for API mode credentials");
    }

    [Fact]
    public async Task OauthAndManage_Owner_RelayedWithGatewayId()
    {
        await using var stage = await AgentRoom.CreateAsync(hub);
        await using var client = await WsPeer.ClientAsync(stage.Owner);

        await client.SendAsync(new
        {
            type = "client:manage_gateway_credential", gatewayId = stage.GatewayId, agentType = "codex", credentialId = "c1",
            action = "rename", name = "new",
        });
        var manage = await stage.Gateway.WaitForAsync("server:manage_credential");
        Assert.Equal("rename", manage["action"]!.GetValue<string>());
        Assert.Equal("new", manage["name"]!.GetValue<string>());

        await client.SendAsync(
            new { type = "client:start_gateway_oauth", gatewayId = stage.GatewayId, agentType = "codex", credentialName = "sub" });
        var start = await stage.Gateway.WaitForAsync("server:start_oauth");
        var requestId = start["requestId"]!.GetValue<string>();
        await stage.Gateway.SendAsync(new { type = "gateway:oauth_url", requestId, authUrl = "https://auth.example/x" });
        var url = await client.WaitForAsync("server:gateway_oauth_url");
        Assert.Equal("https://auth.example/x", url["authUrl"]!.GetValue<string>());
        Assert.Equal(stage.GatewayId, url["gatewayId"]!.GetValue<string>());

        await client.SendAsync(new
        {
            type = "client:complete_gateway_oauth", gatewayId = stage.GatewayId, requestId, callbackUrl = "http://localhost:1/cb?code=1",
        });
        var complete = await stage.Gateway.WaitForAsync("server:complete_oauth");
        Assert.Equal(requestId, complete["requestId"]!.GetValue<string>());
        await stage.Gateway.SendAsync(
            new { type = "gateway:oauth_result", requestId, success = true, credential = new { id = "c9", name = "sub" } });
        var result = await client.WaitForAsync("server:gateway_oauth_result");
        Assert.True(result["success"]!.GetValue<bool>());
        Assert.Equal("c9", result["credential"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task SpawnAndCredentialResults_RelayedToOwnerOnly()
    {
        await using var stage = await AgentRoom.CreateAsync(hub);
        await using var owner = await WsPeer.ClientAsync(stage.Owner);
        var eve = await TestUsers.CreateAsync(hub, "eve");
        await using var eveSocket = await WsPeer.ClientAsync(eve);

        await stage.Gateway.SendAsync(new
        {
            type = "gateway:spawn_result", requestId = "r1", success = false, error = "CREDENTIAL_SELECTION_REQUIRED",
            credentials = new[] { new { id = "c1", name = "a", mode = "api", isDefault = true } },
        });
        await stage.Gateway.SendAsync(
            new { type = "gateway:credential_result", requestId = "r2", success = true, credential = new { id = "c2", name = "b" } });
        var spawn = await owner.WaitForAsync("server:spawn_result");
        var credential = await owner.WaitForAsync("server:gateway_credential_result");

        Assert.Equal(stage.GatewayId, spawn["gatewayId"]!.GetValue<string>());
        Assert.Equal("CREDENTIAL_SELECTION_REQUIRED", spawn["error"]!.GetValue<string>());
        Assert.Equal("c1", spawn["credentials"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("r2", credential["requestId"]!.GetValue<string>());
        await eveSocket.PingAsync();
        Assert.Empty(eveSocket.All("server:spawn_result"));
    }
}
