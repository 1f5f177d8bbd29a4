using System.Text.Json.Nodes;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Agents;

/// <summary>/api/agents: listing, sharing, reading, changing and deleting agents (rest-api.md §7 #51–55).</summary>
public sealed class AgentsEndpointsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task ListOwned_ReturnsOnlyCallersAgents_InTheEnrichedShape()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var (first, second, bobs) = (NewId("ag"), NewId("ag"), NewId("ag"));
        var gatewayId = NewId("gw");
        await using var gateway = await WsPeer.GatewayAsync(alice, gatewayId, (first, "one"), (second, "two"));
        await using var bobGateway = await WsPeer.GatewayAsync(bob, NewId("gw"), (bobs, "three"));

        var (status, body) = await alice.GetAsync("/api/agents");

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        var agents = body["data"]!.AsArray();
        Assert.Equal(new[] { first, second }.Order(), agents.Select(a => Str(a, "id")).Order());
        var agent = agents.Single(a => Str(a, "id") == first)!.AsObject();
        Assert.Equal("one", Str(agent, "name"));
        Assert.Equal("generic", Str(agent, "type"));
        Assert.Equal("online", Str(agent, "status"));
        Assert.Equal("private", Str(agent, "visibility"));
        Assert.Empty(agent["visibilityList"]!.AsArray());
        Assert.Equal(gatewayId, Str(agent, "gatewayId"));
        Assert.Equal("/srv/work", Str(agent, "workingDirectory"));
        Assert.Empty(agent["capabilities"]!.AsArray());
        Assert.Equal("cli", Str(agent, "connectionType"));
        Assert.True(WireRules.IsWireTimestamp(Str(agent, "lastSeenAt")));
        Assert.True(WireRules.IsWireTimestamp(Str(agent, "createdAt")));
        Assert.True(WireRules.IsWireTimestamp(Str(agent, "updatedAt")));
        // NULL capabilities/slashCommands/mcpServers/model are omitted, not null (rest-api.md §0.5).
        Assert.False(agent.ContainsKey("model"));
        Assert.False(agent.ContainsKey("slashCommands"));
        Assert.False(agent.ContainsKey("mcpServers"));
        Assert.False(agent.ContainsKey("ownerName"));
        var device = agent["deviceInfo"]!.AsObject();
        Assert.Equal("ci-box", Str(device, "hostname"));
        Assert.Equal("linux", Str(device, "platform"));
        Assert.Equal("x64", Str(device, "arch"));
        Assert.Equal("v22.0.0", Str(device, "nodeVersion"));

        var (_, page) = await alice.GetAsync("/api/agents?limit=1&offset=1");
        Assert.Single(page!["data"]!.AsArray());
        var (_, firstPage) = await alice.GetAsync("/api/agents?limit=1");
        Assert.NotEqual(Str(firstPage!["data"]![0], "id"), Str(page["data"]![0], "id"));
    }

    [Fact]
    public async Task ListShared_ReturnsOthersAgentsSharedWithAllOrWhitelistingCaller_WithOwnerName()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var carol = await hub.CreateUserAsync("carol");
        var (toAll, toAlice, toCarol, hidden) = (NewId("ag"), NewId("ag"), NewId("ag"), NewId("ag"));
        await using var gateway = await WsPeer.GatewayAsync(
            bob, NewId("gw"), (toAll, "all"), (toAlice, "for-alice"), (toCarol, "for-carol"), (hidden, "private"));
        await Share(bob, toAll, "all");
        await Share(bob, toAlice, "whitelist", alice.UserId);
        await Share(bob, toCarol, "whitelist", carol.UserId);

        var (status, body) = await alice.GetAsync("/api/agents/shared");

        Assert.Equal(200, status);
        // Other tests of this class share agents too; only Bob's four matter here.
        var bobs = new[] { toAll, toAlice, toCarol, hidden };
        var shared = body!["data"]!.AsArray().Where(a => bobs.Contains(Str(a, "id"))).ToList();
        Assert.Equal(new[] { toAll, toAlice }.Order(), shared.Select(a => Str(a, "id")).Order());
        Assert.All(shared, a => Assert.Equal(bob.Username, Str(a, "ownerName")));
        var (_, own) = await bob.GetAsync("/api/agents/shared");
        Assert.DoesNotContain(own!["data"]!.AsArray(), a => bobs.Contains(Str(a, "id")));
    }

    [Fact]
    public async Task Get_OwnerAndSharedUserSeeIt_OthersAndAdminGetNotFound()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var carol = await hub.CreateUserAsync("carol");
        var admin = await hub.LoginAdminAsync();
        var agentId = NewId("ag");
        await using var gateway = await WsPeer.GatewayAsync(alice, NewId("gw"), (agentId, "dev"));

        var (ownerStatus, ownerBody) = await alice.GetAsync($"/api/agents/{agentId}");
        Assert.Equal(200, ownerStatus);
        Assert.Equal(agentId, Str(ownerBody!["data"], "id"));

        foreach (var stranger in new[] { bob, admin })
        {
            var (status, body) = await stranger.GetAsync($"/api/agents/{agentId}");
            Assert.Equal(404, status);
            Assert.Equal("Agent not found", Str(body, "error"));
        }

        await Share(alice, agentId, "whitelist", bob.UserId);
        Assert.Equal(200, (await bob.GetAsync($"/api/agents/{agentId}")).Status);
        Assert.Equal(404, (await carol.GetAsync($"/api/agents/{agentId}")).Status);
        Assert.Equal(404, (await alice.GetAsync($"/api/agents/{NewId("none")}")).Status);

        var (badStatus, badBody) = await alice.GetAsync("/api/agents/bad.id");
        Assert.Equal(400, badStatus);
        Assert.Equal("Invalid parameter: id", Str(badBody, "error"));
    }

    [Fact]
    public async Task Update_OwnerRenames_ReturnsAgentAndRoomSeesAgentStatus()
    {
        var alice = await hub.CreateUserAsync("alice");
        var room = await alice.CreateRoomAsync("rename");
        var agentId = NewId("ag");
        await using var gateway = await WsPeer.GatewayAsync(alice, NewId("gw"), (agentId, "dev"));
        await alice.AddMemberAsync(room, agentId, "agent");
        await using var client = await WsPeer.ClientAsync(alice, room);

        var (status, body) = await alice.PutAsync($"/api/agents/{agentId}", new { name = "reviewer", visibility = "all" });

        Assert.Equal(200, status);
        Assert.Equal("reviewer", Str(body!["data"], "name"));
        Assert.Equal("all", Str(body["data"], "visibility"));
        var frame = await client.WaitForAsync("server:agent_status", f => Str(f["agent"], "name") == "reviewer");
        Assert.Equal(agentId, Str(frame["agent"], "id"));
        Assert.Equal("online", Str(frame["agent"], "status"));
        var (_, read) = await alice.GetAsync($"/api/agents/{agentId}");
        Assert.Equal("reviewer", Str(read!["data"], "name"));
    }

    [Fact]
    public async Task Update_Whitelist_StoresListAndSharesWithListedUsersOnly()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var carol = await hub.CreateUserAsync("carol");
        var agentId = NewId("ag");
        await using var gateway = await WsPeer.GatewayAsync(alice, NewId("gw"), (agentId, "dev"));

        var (status, body) = await alice.PutAsync(
            $"/api/agents/{agentId}", new { visibility = "whitelist", visibilityList = new[] { bob.UserId } });

        Assert.Equal(200, status);
        Assert.Equal([bob.UserId], body!["data"]!["visibilityList"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains((await bob.GetAsync("/api/agents/shared")).Body!["data"]!.AsArray(), a => Str(a, "id") == agentId);
        Assert.DoesNotContain((await carol.GetAsync("/api/agents/shared")).Body!["data"]!.AsArray(), a => Str(a, "id") == agentId);
    }

    [Theory]
    [InlineData("whitelist-without-list", "visibilityList", "validation.visibilityListRequired")]
    [InlineData("blank-name", "name", "validation.nameWhitespace")]
    [InlineData("long-name", "name", "String must contain at most 100 character(s)")]
    [InlineData("bad-visibility", "visibility", null)]
    [InlineData("long-list", "visibilityList", "Array must contain at most 500 element(s)")]
    public async Task Update_InvalidBody_ReturnsValidationError(string kind, string field, string? message)
    {
        var alice = await hub.CreateUserAsync("alice");
        var agentId = NewId("ag");
        await using var gateway = await WsPeer.GatewayAsync(alice, NewId("gw"), (agentId, "dev"));
        object request = kind switch
        {
            "whitelist-without-list" => new { visibility = "whitelist" },
            "blank-name" => new { name = "   " },
            "long-name" => new { name = new string('n', 101) },
            "bad-visibility" => new { visibility = "public" },
            _ => new { visibilityList = Enumerable.Range(0, 501).Select(i => $"u{i}").ToArray() },
        };

        var (status, body) = await alice.PutAsync($"/api/agents/{agentId}", request);

        Assert.Equal(400, status);
        Assert.Equal("Validation failed", Str(body, "error"));
        var error = body!["fields"]!.AsArray().Single(f => Str(f, "field") == field);
        if (message is not null)
        {
            Assert.Equal(message, Str(error, "message"));
        }

        Assert.Equal("dev", Str((await alice.GetAsync($"/api/agents/{agentId}")).Body!["data"], "name"));
    }

    [Fact]
    public async Task UpdateAndDelete_SharedButNotOwned_Forbidden_HiddenOrAdmin_NotFound()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var carol = await hub.CreateUserAsync("carol");
        var admin = await hub.LoginAdminAsync();
        var agentId = NewId("ag");
        await using var gateway = await WsPeer.GatewayAsync(alice, NewId("gw"), (agentId, "dev"));
        await Share(alice, agentId, "whitelist", bob.UserId);

        var (putStatus, putBody) = await bob.PutAsync($"/api/agents/{agentId}", new { name = "mine" });
        var (deleteStatus, deleteBody) = await bob.DeleteAsync($"/api/agents/{agentId}");

        Assert.Equal(403, putStatus);
        Assert.Equal("You do not own this agent", Str(putBody, "error"));
        Assert.Equal(403, deleteStatus);
        Assert.Equal("You do not own this agent", Str(deleteBody, "error"));
        foreach (var stranger in new[] { carol, admin })
        {
            Assert.Equal(404, (await stranger.PutAsync($"/api/agents/{agentId}", new { name = "mine" })).Status);
            Assert.Equal(404, (await stranger.DeleteAsync($"/api/agents/{agentId}")).Status);
        }

        Assert.Equal(404, (await alice.DeleteAsync($"/api/agents/{NewId("none")}")).Status);
        Assert.Equal(400, (await alice.DeleteAsync("/api/agents/bad.id")).Status);
        Assert.Equal("dev", Str((await alice.GetAsync($"/api/agents/{agentId}")).Body!["data"], "name"));
    }

    [Fact]
    public async Task Delete_ConnectedGateway_GetsRemoveAgent_RoomLosesTheMember()
    {
        var alice = await hub.CreateUserAsync("alice");
        var room = await alice.CreateRoomAsync("delete");
        var agentId = NewId("ag");
        await using var gateway = await WsPeer.GatewayAsync(alice, NewId("gw"), (agentId, "dev"));
        await alice.AddMemberAsync(room, agentId, "agent");
        await using var client = await WsPeer.ClientAsync(alice, room);

        var (status, body) = await alice.DeleteAsync($"/api/agents/{agentId}");

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        var remove = await gateway.WaitForAsync("server:remove_agent");
        Assert.Equal(agentId, Str(remove, "agentId"));
        var update = await client.WaitForAsync("server:room_update");
        Assert.DoesNotContain(update["members"]!.AsArray(), m => Str(m, "memberId") == agentId);
        Assert.Equal(404, (await alice.GetAsync($"/api/agents/{agentId}")).Status);
        var (_, detail) = await alice.GetAsync($"/api/rooms/{room}");
        Assert.DoesNotContain(detail!["data"]!["members"]!.AsArray(), m => Str(m, "memberId") == agentId);
        // The gateway was told, so nothing needs remembering for its return.
        Assert.False(hub.Services.GetRequiredService<AgentIM.Agents.DeletedAgents>().TryForget(agentId));
    }

    [Fact]
    public async Task Delete_GatewayOffline_RemembersTheAgentForItsReturn()
    {
        var alice = await hub.CreateUserAsync("alice");
        var agentId = NewId("ag");
        await using (await WsPeer.GatewayAsync(alice, NewId("gw"), (agentId, "dev")))
        {
        }

        await WaitForStatusAsync(alice, agentId, "offline");

        var (status, _) = await alice.DeleteAsync($"/api/agents/{agentId}");

        Assert.Equal(200, status);
        var deleted = hub.Services.GetRequiredService<AgentIM.Agents.DeletedAgents>();
        Assert.True(deleted.TryForget(agentId));
        Assert.False(deleted.TryForget(agentId));
    }

    private static async Task Share(Session owner, string agentId, string visibility, params string[] users)
    {
        var (status, body) = await owner.PutAsync($"/api/agents/{agentId}", new { visibility, visibilityList = users });
        Assert.True(status == 200, $"share: {status} {body}");
    }

    internal static async Task WaitForStatusAsync(Session owner, string agentId, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? status = null;
        while (DateTime.UtcNow < deadline)
        {
            status = Str((await owner.GetAsync($"/api/agents/{agentId}")).Body!["data"], "status");
            if (status == expected)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"agent {agentId} stayed {status}, expected {expected}");
    }

    internal static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    internal static string Str(JsonNode? node, string key) => node![key]!.GetValue<string>();
}
