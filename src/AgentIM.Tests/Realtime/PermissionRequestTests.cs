using System.Globalization;
using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Tool approval (behaviour.md §2): a gateway's request reaches the room, the first valid answer from a joined
/// member goes back to the gateway, hub tools are allowed at once, and an unanswered request times out within
/// the (shortened) cap with exactly one outcome.
/// </summary>
public sealed class PermissionRequestTests(ShortTimersHubFixture hub) : IClassFixture<ShortTimersHubFixture>
{
    private static readonly TimeSpan Cap = TimeSpan.FromMilliseconds(ShortTimersHubFixture.PermissionCapMs);

    [Fact]
    public async Task PermissionRequest_AnsweredByJoinedMember_FirstAnswerGoesToGateway()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await stage.Owner.AddMemberAsync(stage.RoomId, bob.UserId, "user");
        await using var alice = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await using var bobSocket = await WsPeer.ClientAsync(bob, stage.RoomId);
        var requestId = Unique.Id("perm");

        var before = DateTime.UtcNow;
        await stage.Gateway.SendAsync(Request(requestId, stage.AgentIds["dev"], stage.RoomId, "Bash"));
        var shown = await bobSocket.WaitForAsync("server:permission_request");
        await alice.WaitForAsync("server:permission_request");

        Assert.Equal(requestId, shown["requestId"]!.GetValue<string>());
        Assert.Equal("dev", shown["agentName"]!.GetValue<string>());
        Assert.Equal(stage.AgentIds["dev"], shown["agentId"]!.GetValue<string>());
        Assert.Equal("Bash", shown["toolName"]!.GetValue<string>());
        Assert.Equal("ls -la", shown["toolInput"]!["command"]!.GetValue<string>());
        // The gateway asked for 300 s; the hub's cap (shortened here) wins.
        var expiresAt = DateTime.Parse(
            shown["expiresAt"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.InRange(expiresAt, before, DateTime.UtcNow + Cap + TimeSpan.FromSeconds(1));

        // Two sockets are handled side by side, so the second answer is sent once the first has reached the gateway.
        await bobSocket.SendAsync(new { type = "client:permission_response", requestId, decision = "deny", denyReason = "not now" });
        var answer = await stage.Gateway.WaitForAsync("server:permission_response");
        await alice.SendAsync(new { type = "client:permission_response", requestId, decision = "allow" });

        Assert.Equal(requestId, answer["requestId"]!.GetValue<string>());
        Assert.Equal("deny", answer["decision"]!.GetValue<string>());
        Assert.Equal("not now", answer["denyReason"]!.GetValue<string>());
        Assert.Equal(stage.AgentIds["dev"], answer["agentId"]!.GetValue<string>());

        // Answered means settled: no second answer, no timeout and no expiry notice once the cap has passed.
        await Task.Delay(Cap + TimeSpan.FromMilliseconds(700));
        await stage.Gateway.PingAsync("gateway:ping");
        await alice.PingAsync();
        Assert.Single(stage.Gateway.All("server:permission_response"));
        Assert.Empty(alice.All("server:permission_request_expired"));
    }

    [Fact]
    public async Task PermissionRequest_Unanswered_TimesOutOnceWithinCap()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var requestId = Unique.Id("perm");

        await stage.Gateway.SendAsync(Request(requestId, stage.AgentIds["dev"], stage.RoomId, "Write"));
        await client.WaitForAsync("server:permission_request");
        var answer = await stage.Gateway.WaitForAsync("server:permission_response", timeout: Cap + TimeSpan.FromSeconds(10));
        var expired = await client.WaitForAsync("server:permission_request_expired");

        Assert.Equal("timeout", answer["decision"]!.GetValue<string>());
        Assert.Equal(requestId, answer["requestId"]!.GetValue<string>());
        Assert.Equal(requestId, expired["requestId"]!.GetValue<string>());

        // A late answer finds nothing.
        await client.SendAsync(new { type = "client:permission_response", requestId, decision = "allow" });
        await client.PingAsync();
        await stage.Gateway.PingAsync("gateway:ping");
        Assert.Single(stage.Gateway.All("server:permission_response"));
    }

    [Fact]
    public async Task PermissionRequest_HubTool_AllowedAtOnceAndNotShown()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var requestId = Unique.Id("perm");

        await stage.Gateway.SendAsync(Request(requestId, stage.AgentIds["dev"], stage.RoomId, "mcp__agentim__send_message"));
        var answer = await stage.Gateway.WaitForAsync("server:permission_response");

        Assert.Equal("allow", answer["decision"]!.GetValue<string>());
        Assert.Equal(requestId, answer["requestId"]!.GetValue<string>());
        await client.PingAsync();
        Assert.Empty(client.All("server:permission_request"));
    }

    [Fact]
    public async Task PermissionResponse_SocketNotJoinedOrNotMember_Ignored()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var outsider = await TestUsers.CreateAsync(hub, "eve");
        await using var notJoined = await WsPeer.ClientAsync(stage.Owner);
        await using var eve = await WsPeer.ClientAsync(outsider, stage.RoomId);
        await using var joined = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var requestId = Unique.Id("perm");
        await stage.Gateway.SendAsync(Request(requestId, stage.AgentIds["dev"], stage.RoomId, "Bash"));
        await joined.WaitForAsync("server:permission_request");

        await notJoined.SendAsync(new { type = "client:permission_response", requestId, decision = "allow" });
        await eve.SendAsync(new { type = "client:permission_response", requestId, decision = "allow" });
        await notJoined.PingAsync();
        await eve.PingAsync();
        await joined.SendAsync(new { type = "client:permission_response", requestId, decision = "allowAlways" });
        var answer = await stage.Gateway.WaitForAsync("server:permission_response");

        Assert.Equal("allowAlways", answer["decision"]!.GetValue<string>());
        Assert.Empty(eve.All("server:permission_request"));
    }

    [Theory]
    [InlineData("{\"__proto__\":1}")]
    [InlineData("[1,2]")]
    public async Task PermissionRequest_BadToolInput_Dropped(string toolInput)
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var requestId = Unique.Id("perm");

        await stage.Gateway.SendTextAsync(
            $"{{\"type\":\"gateway:permission_request\",\"requestId\":\"{requestId}\",\"agentId\":\"{stage.AgentIds["dev"]}\"," +
            $"\"roomId\":\"{stage.RoomId}\",\"toolName\":\"Bash\",\"toolInput\":{toolInput},\"timeoutMs\":300000}}");
        await stage.Gateway.SendAsync(Request(Unique.Id("perm"), stage.AgentIds["dev"], stage.RoomId, "Bash"));
        await client.WaitForAsync("server:permission_request");
        await client.PingAsync();

        Assert.DoesNotContain(client.All("server:permission_request"), f => f["requestId"]!.GetValue<string>() == requestId);
    }

    [Fact]
    public async Task PermissionRequest_AgentNotOnThisGateway_Dropped()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await using var other = await WsPeer.GatewayAsync(stage.Owner, Unique.Id("gw"));

        await other.SendAsync(Request(Unique.Id("perm"), stage.AgentIds["dev"], stage.RoomId, "Bash"));
        await other.PingAsync("gateway:ping");
        await client.PingAsync();

        Assert.Empty(client.All("server:permission_request"));
        Assert.Empty(other.All("server:permission_response"));
    }

    [Fact]
    public async Task PermissionResponse_BadDecision_InvalidMessage()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await client.SendAsync(new { type = "client:permission_response", requestId = "x", decision = "maybe" });

        await client.ExpectErrorAsync("INVALID_MESSAGE");
    }

    internal static object Request(string requestId, string agentId, string roomId, string toolName) => new
    {
        type = "gateway:permission_request",
        requestId,
        agentId,
        roomId,
        toolName,
        toolInput = new JsonObject { ["command"] = "ls -la" },
        timeoutMs = 300_000,
    };
}

/// <summary>The pending cap: past it a request is denied at once and never shown (behaviour.md §2.2).</summary>
public sealed class PermissionCapTests(FewPendingPermissionsHubFixture hub) : IClassFixture<FewPendingPermissionsHubFixture>
{
    [Fact]
    public async Task PermissionRequest_PendingCapReached_DeniedAtOnce()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var ids = Enumerable.Range(0, FewPendingPermissionsHubFixture.MaxPending + 1).Select(_ => Unique.Id("perm")).ToList();

        foreach (var id in ids)
        {
            await stage.Gateway.SendAsync(PermissionRequestTests.Request(id, stage.AgentIds["dev"], stage.RoomId, "Bash"));
        }

        var denied = await stage.Gateway.WaitForAsync("server:permission_response");
        await client.PingAsync();

        Assert.Equal(ids[^1], denied["requestId"]!.GetValue<string>());
        Assert.Equal("deny", denied["decision"]!.GetValue<string>());
        Assert.Equal(ids[..^1], client.All("server:permission_request").Select(f => f["requestId"]!.GetValue<string>()));

        // Answering one frees a place: the next request is shown again.
        await client.SendAsync(new { type = "client:permission_response", requestId = ids[0], decision = "allow" });
        await stage.Gateway.WaitForAsync("server:permission_response", f => f["requestId"]!.GetValue<string>() == ids[0]);
        var again = Unique.Id("perm");
        await stage.Gateway.SendAsync(PermissionRequestTests.Request(again, stage.AgentIds["dev"], stage.RoomId, "Bash"));
        await client.WaitForAsync("server:permission_request", f => f["requestId"]!.GetValue<string>() == again);
    }
}
