using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Case B19 step 4: one owner's agent names are unique regardless of letter case. A second registration that
/// differs only in case is refused with <c>server:error AGENT_NAME_TAKEN</c> (from any gateway of the owner, even
/// when two race), a rename into such a name answers 409, and mentions resolve to the one agent. The same name
/// under a new id on the same gateway is the gateway re-creating its agent and is accepted (websocket.md §6).
/// </summary>
public sealed class AgentNamesB19Tests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task B19_Register_NameDifferingOnlyInCase_RefusedAndMentionsResolveToTheFirst()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        var first = Unique.Id("ag");
        var second = Unique.Id("ag");
        await using var gateway = await WsPeer.GatewayAsync(alice, Unique.Id("gw"), (first, "Helper"));
        await alice.AddMemberAsync(room, first, "agent");

        await Register(gateway, second, "helper");

        var error = await gateway.ExpectErrorAsync("AGENT_NAME_TAKEN");
        Assert.Contains("helper", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM agents WHERE id = $1", second));
        await using var client = await WsPeer.ClientAsync(alice, room);
        await client.SendMessageAsync(room, "@HELPER ping");
        Assert.Equal(first, (await gateway.WaitForAsync("server:send_to_agent"))["agentId"]!.GetValue<string>());
    }

    [Fact]
    public async Task B19_Register_SameNameOnAnotherGatewayOfTheOwner_Refused()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        await using var one = await WsPeer.GatewayAsync(alice, Unique.Id("gw"), (Unique.Id("ag"), "builder"));
        await using var two = await WsPeer.GatewayAsync(alice, Unique.Id("gw"));

        await Register(two, Unique.Id("ag"), "BUILDER");

        await two.ExpectErrorAsync("AGENT_NAME_TAKEN");
    }

    [Fact]
    public async Task B19_Register_SameNameOfAnotherOwner_Accepted()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await using var aliceGateway = await WsPeer.GatewayAsync(alice, Unique.Id("gw"), (Unique.Id("ag"), "helper"));
        var bobsAgent = Unique.Id("ag");

        await using var bobGateway = await WsPeer.GatewayAsync(bob, Unique.Id("gw"), (bobsAgent, "Helper"));

        Assert.Empty(bobGateway.All("server:error"));
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM agents WHERE id = $1", bobsAgent));
    }

    [Fact]
    public async Task B19_Register_SameNameNewIdSameGateway_AcceptedAndTheOldOneGoesOffline()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var old = Unique.Id("ag");
        var renewed = Unique.Id("ag");
        var gatewayId = Unique.Id("gw");
        await using var gateway = await WsPeer.GatewayAsync(alice, gatewayId, (old, "worker"));

        await Register(gateway, renewed, "worker");
        await gateway.PingAsync("gateway:ping");

        Assert.Empty(gateway.All("server:error"));
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM agents WHERE id = $1 AND status = 'online'", renewed));
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM agents WHERE id = $1 AND status = 'offline'", old));
    }

    [Fact]
    public async Task B19_Register_TwoGatewaysRaceOnOneName_ExactlyOneRegistered()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        await using var one = await WsPeer.GatewayAsync(alice, Unique.Id("gw"));
        await using var two = await WsPeer.GatewayAsync(alice, Unique.Id("gw"));
        var name = Unique.Id("Twin");
        var first = Unique.Id("ag");
        var second = Unique.Id("ag");

        await Task.WhenAll(Register(one, first, name), Register(two, second, name.ToLowerInvariant()));
        await one.PingAsync("gateway:ping");
        await two.PingAsync("gateway:ping");

        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM agents WHERE id = ANY($1)", (object)new[] { first, second }));
        Assert.Single(one.All("server:error").Concat(two.All("server:error")), e => e["code"]!.GetValue<string>() == "AGENT_NAME_TAKEN");
    }

    [Fact]
    public async Task B19_Rename_IntoAnotherAgentsNameIgnoringCase_Conflict()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var first = Unique.Id("ag");
        var second = Unique.Id("ag");
        await using var gateway = await WsPeer.GatewayAsync(alice, Unique.Id("gw"), (first, "reviewer"), (second, "writer"));

        var (status, body) = await alice.PutAsync($"/api/agents/{second}", new { name = "Reviewer" });

        Assert.Equal(409, status);
        Assert.False(body!["ok"]!.GetValue<bool>());
        Assert.Equal("You already have an agent with this name", body["error"]!.GetValue<string>());
        Assert.Equal(200, (await alice.PutAsync($"/api/agents/{second}", new { name = "Writer" })).Status);
    }

    private static Task Register(WsPeer gateway, string id, string name) =>
        gateway.SendAsync(
            new { type = "gateway:register_agent", agent = new { id, name, type = "generic", capabilities = Array.Empty<string>() } });
}
