using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Rooms;

/// <summary>/api/rooms: creation, listing, detail with members, membership changes, and the contract's input errors.</summary>
public sealed class RoomsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly string[] RoomKeys =
        ["id", "name", "type", "broadcastMode", "systemPrompt", "routerId", "agentCommandRole", "createdById", "createdAt", "updatedAt"];

    [Fact]
    public async Task CreateRoom_ValidBody_Returns201RoomRowAndCreatorIsOwner()
    {
        var alice = await hub.CreateUserAsync("alice");

        var (status, body) = await alice.PostAsync(
            "/api/rooms", new { name = "design", type = "private", broadcastMode = true, systemPrompt = "be kind" });

        Assert.Equal(201, status);
        var room = body!["data"]!.AsObject();
        Assert.Equal(RoomKeys.Order(), room.Select(p => p.Key).Order());
        Assert.Equal("design", room["name"]!.GetValue<string>());
        Assert.Equal("private", room["type"]!.GetValue<string>());
        Assert.True(room["broadcastMode"]!.GetValue<bool>());
        Assert.Equal("be kind", room["systemPrompt"]!.GetValue<string>());
        Assert.Null(room["routerId"]);
        Assert.Equal("member", room["agentCommandRole"]!.GetValue<string>());
        Assert.Equal(alice.UserId, room["createdById"]!.GetValue<string>());
        Assert.Matches(Timestamps.IsoUtcMillis, room["createdAt"]!.GetValue<string>());

        var detail = await GetRoomAsync(alice, room["id"]!.GetValue<string>());
        var creator = Assert.Single(detail["members"]!.AsArray());
        Assert.Equal(alice.UserId, creator!["memberId"]!.GetValue<string>());
        Assert.Equal("user", creator["memberType"]!.GetValue<string>());
        Assert.Equal("owner", creator["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateRoom_Defaults_AreGroupWithoutBroadcast()
    {
        var alice = await hub.CreateUserAsync("alice");

        var (status, body) = await alice.PostAsync("/api/rooms", new { name = "plain" });

        Assert.Equal(201, status);
        Assert.Equal("group", body!["data"]!["type"]!.GetValue<string>());
        Assert.False(body["data"]!["broadcastMode"]!.GetValue<bool>());
        Assert.Null(body["data"]!["systemPrompt"]);
    }

    [Fact]
    public async Task CreateRoom_WithMemberIds_AddsThemAsMembers()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");

        var roomId = await alice.CreateRoomAsync("pair", bob.UserId, bob.UserId, alice.UserId);

        var detail = await GetRoomAsync(alice, roomId);
        Assert.Equal(2, detail["totalMembers"]!.GetValue<int>());
        var roles = detail["members"]!.AsArray().ToDictionary(m => m!["memberId"]!.GetValue<string>(), m => m!["role"]!.GetValue<string>());
        Assert.Equal("owner", roles[alice.UserId]);
        Assert.Equal("member", roles[bob.UserId]);
        Assert.Equal(200, (await bob.GetAsync($"/api/rooms/{roomId}")).Status);
    }

    [Fact]
    public async Task CreateRoom_UnknownMemberId_Returns400AndCreatesNothing()
    {
        var alice = await hub.CreateUserAsync("alice");

        var (status, body) = await alice.PostAsync("/api/rooms", new { name = "ghosts", memberIds = new[] { "no-such-user" } });

        Assert.Equal(400, status);
        Assert.Equal("One or more users not found", body!["error"]!.GetValue<string>());
        Assert.Empty((await alice.GetAsync("/api/rooms")).Body!["data"]!.AsArray());
    }

    [Fact]
    public async Task ListRooms_ReturnsOnlyRoomsTheCallerBelongsTo()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var mine = await alice.CreateRoomAsync("mine");
        var shared = await bob.CreateRoomAsync("shared", alice.UserId);
        await bob.CreateRoomAsync("bobs-own");

        var (status, body) = await alice.GetAsync("/api/rooms");

        Assert.Equal(200, status);
        var rooms = body!["data"]!.AsArray();
        Assert.Equal(new[] { mine, shared }.Order(), rooms.Select(r => r!["id"]!.GetValue<string>()).Order());
        Assert.All(rooms, r => Assert.True(r!.AsObject().ContainsKey("pinnedAt") && r.AsObject().ContainsKey("archivedAt")));
    }

    [Fact]
    public async Task GetRoom_NonMember_Returns404LikeUnknownRoom()
    {
        var alice = await hub.CreateUserAsync("alice");
        var eve = await hub.CreateUserAsync("eve");
        var roomId = await alice.CreateRoomAsync("secret");

        var hidden = await eve.GetAsync($"/api/rooms/{roomId}");
        var unknown = await eve.GetAsync("/api/rooms/no-such-room");

        Assert.Equal(404, hidden.Status);
        Assert.Equal("Room not found", hidden.Body!["error"]!.GetValue<string>());
        Assert.Equal(unknown.Body!.ToJsonString(), hidden.Body.ToJsonString());
    }

    [Fact]
    public async Task AddMember_User_Returns201AndUserSeesRoom()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var roomId = await alice.CreateRoomAsync("team");

        var (status, body) = await alice.PostAsync($"/api/rooms/{roomId}/members", new { memberId = bob.UserId, memberType = "user" });

        Assert.Equal(201, status);
        Assert.Equal("""{"ok":true}""", body!.ToJsonString());
        var member = Member(await GetRoomAsync(alice, roomId), bob.UserId);
        Assert.Equal("member", member["role"]!.GetValue<string>());
        Assert.Matches(Timestamps.IsoUtcMillis, member["joinedAt"]!.GetValue<string>());
        Assert.Contains((await bob.GetAsync("/api/rooms")).Body!["data"]!.AsArray(), r => r!["id"]!.GetValue<string>() == roomId);
    }

    [Fact]
    public async Task AddMember_AgentOfOwnGateway_Returns201AndListsAgentMember()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("with-agent");
        var agentId = $"ag-{Guid.NewGuid():N}"[..20];
        await using var gateway = await WsPeer.GatewayAsync(alice, $"gw-{Guid.NewGuid():N}"[..20], (agentId, "dev"));

        var (status, _) = await alice.PostAsync(
            $"/api/rooms/{roomId}/members", new { memberId = agentId, memberType = "agent", roleDescription = "reviewer" });

        Assert.Equal(201, status);
        var agent = Member(await GetRoomAsync(alice, roomId), agentId);
        Assert.Equal("agent", agent["memberType"]!.GetValue<string>());
        Assert.Equal("reviewer", agent["roleDescription"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddMember_AgentOfAnotherUser_Returns403NotShared()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var roomId = await alice.CreateRoomAsync("borrowing");
        var agentId = $"ag-{Guid.NewGuid():N}"[..20];
        await using var gateway = await WsPeer.GatewayAsync(bob, $"gw-{Guid.NewGuid():N}"[..20], (agentId, "bobs-dev"));

        var (status, body) = await alice.PostAsync($"/api/rooms/{roomId}/members", new { memberId = agentId, memberType = "agent" });

        Assert.Equal(403, status);
        Assert.Equal("You do not own this agent and it is not shared", body!["error"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("user", "User not found")]
    [InlineData("agent", "Agent not found")]
    public async Task AddMember_UnknownMember_Returns404(string memberType, string error)
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("lonely");

        var (status, body) = await alice.PostAsync($"/api/rooms/{roomId}/members", new { memberId = "nobody-here", memberType });

        Assert.Equal((404, error), (status, body!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AddMember_AlreadyInRoom_Returns409()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var roomId = await alice.CreateRoomAsync("twice", bob.UserId);

        var again = await alice.PostAsync($"/api/rooms/{roomId}/members", new { memberId = bob.UserId, memberType = "user" });
        var creator = await alice.PostAsync($"/api/rooms/{roomId}/members", new { memberId = alice.UserId, memberType = "user" });

        Assert.Equal((409, "Member already in room"), (again.Status, again.Body!["error"]!.GetValue<string>()));
        Assert.Equal(409, creator.Status);
        Assert.Equal(2, (await GetRoomAsync(alice, roomId))["totalMembers"]!.GetValue<int>());
    }

    [Fact]
    public async Task AddMember_ByPlainMember_Returns403()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var carol = await hub.CreateUserAsync("carol");
        var roomId = await alice.CreateRoomAsync("strict", bob.UserId);

        var (status, body) = await bob.PostAsync($"/api/rooms/{roomId}/members", new { memberId = carol.UserId, memberType = "user" });

        Assert.Equal((403, "Only room owner or admin can add members"), (status, body!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AddMember_NonMemberCaller_Returns404()
    {
        var alice = await hub.CreateUserAsync("alice");
        var eve = await hub.CreateUserAsync("eve");
        var roomId = await alice.CreateRoomAsync("closed");

        var (status, _) = await eve.PostAsync($"/api/rooms/{roomId}/members", new { memberId = eve.UserId, memberType = "user" });

        Assert.Equal(404, status);
        Assert.Equal(404, (await eve.GetAsync($"/api/rooms/{roomId}")).Status);
    }

    [Fact]
    public async Task RemoveMember_ByOwner_RemovesAccess()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var roomId = await alice.CreateRoomAsync("shrinking", bob.UserId);

        var (status, body) = await alice.DeleteAsync($"/api/rooms/{roomId}/members/{bob.UserId}");

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        Assert.Equal(404, (await bob.GetAsync($"/api/rooms/{roomId}")).Status);
        Assert.DoesNotContain((await bob.GetAsync("/api/rooms")).Body!["data"]!.AsArray(), r => r!["id"]!.GetValue<string>() == roomId);
        Assert.Equal(1, (await GetRoomAsync(alice, roomId))["totalMembers"]!.GetValue<int>());
    }

    [Fact]
    public async Task RemoveMember_SelfLeave_IsAllowedForPlainMember()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var carol = await hub.CreateUserAsync("carol");
        var roomId = await alice.CreateRoomAsync("revolving", bob.UserId, carol.UserId);

        var other = await bob.DeleteAsync($"/api/rooms/{roomId}/members/{carol.UserId}");
        var self = await bob.DeleteAsync($"/api/rooms/{roomId}/members/{bob.UserId}");

        Assert.Equal((403, "Only room owner or admin can remove members"), (other.Status, other.Body!["error"]!.GetValue<string>()));
        Assert.Equal(200, self.Status);
        Assert.Equal(404, (await bob.GetAsync($"/api/rooms/{roomId}")).Status);
    }

    [Fact]
    public async Task RemoveMember_Creator_Returns400AndCreatorStays()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var roomId = await alice.CreateRoomAsync("founded", bob.UserId);
        await TestSql.ExecuteAsync(
            hub.DatabaseUrl, "UPDATE room_members SET role = 'admin' WHERE room_id = $1 AND member_id = $2", roomId, bob.UserId);

        var byAdmin = await bob.DeleteAsync($"/api/rooms/{roomId}/members/{alice.UserId}");
        var bySelf = await alice.DeleteAsync($"/api/rooms/{roomId}/members/{alice.UserId}");

        Assert.Equal((400, "Cannot remove the room creator"), (byAdmin.Status, byAdmin.Body!["error"]!.GetValue<string>()));
        Assert.Equal(400, bySelf.Status);
        Assert.Contains((await GetRoomAsync(alice, roomId))["members"]!.AsArray(), m => m!["memberId"]!.GetValue<string>() == alice.UserId);
    }

    [Theory]
    [InlineData("GET", "/api/rooms/{bad}", "id")]
    [InlineData("POST", "/api/rooms/{bad}/members", "id")]
    [InlineData("DELETE", "/api/rooms/{bad}/members/someone", "id")]
    [InlineData("DELETE", "/api/rooms/{room}/members/{bad}", "memberId")]
    public async Task RoomRoutes_InvalidPathId_Return400InvalidParameter(string method, string template, string parameter)
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("paths");
        foreach (var bad in new[] { new string('a', 31), "bad.id", "semi%3Bcolon" })
        {
            var path = template.Replace("{bad}", bad).Replace("{room}", roomId);
            var body = method == "POST" ? new { memberId = "x", memberType = "user" } : null;

            var (status, reply) = await alice.SendAsync(new HttpMethod(method), path, body);

            Assert.Equal(400, status);
            Assert.Equal($"Invalid parameter: {parameter}", reply!["error"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("{\"name\":")]
    [InlineData("not json at all")]
    [InlineData("[\"name\"]")]
    [InlineData("")]
    public async Task CreateRoom_BodyIsNotAJsonObject_Returns400InvalidJsonBody(string json)
    {
        var alice = await hub.CreateUserAsync("alice");

        var reply = await hub.SendAsync(HttpMethod.Post, "/api/rooms", json, HubHttp.Bearer(alice.AccessToken));

        Assert.Equal((400, "Invalid JSON body"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task CreateRoom_BodyOverOneMebibyte_Returns413InEnvelope()
    {
        var alice = await hub.CreateUserAsync("alice");
        var json = $$"""{"name":"big","systemPrompt":"{{new string('x', 1024 * 1024)}}"}""";

        var reply = await hub.SendAsync(HttpMethod.Post, "/api/rooms", json, HubHttp.Bearer(alice.AccessToken));

        Assert.Equal(413, reply.Status);
        Assert.False(reply.Body!["ok"]!.GetValue<bool>());
        Assert.Equal("Request body too large", reply.Error);
        Assert.Matches("^[A-Za-z0-9_-]{12}$", reply.Body!["errorId"]!.GetValue<string>());
        Assert.Empty((await alice.GetAsync("/api/rooms")).Body!["data"]!.AsArray());
    }

    [Theory]
    [InlineData("""{"name":42}""", "name")]
    [InlineData("""{"name":"ok","broadcastMode":"yes"}""", "broadcastMode")]
    [InlineData("""{"name":"ok","memberIds":"bob"}""", "memberIds")]
    [InlineData("""{"name":"ok","memberIds":[1]}""", "memberIds")]
    public async Task CreateRoom_WronglyTypedField_ReturnsValidationNamingField(string json, string field)
    {
        var alice = await hub.CreateUserAsync("alice");

        var reply = await hub.SendAsync(HttpMethod.Post, "/api/rooms", json, HubHttp.Bearer(alice.AccessToken));

        Assert.Equal(400, reply.Status);
        Assert.Equal("Validation failed", reply.Error);
        var error = Assert.Single(reply.Body!["fields"]!.AsArray());
        Assert.StartsWith(field, error!["field"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"   "}""", "name", "validation.nameWhitespace")]
    [InlineData("""{"name":""}""", "name", "String must contain at least 1 character(s)")]
    [InlineData("""{}""", "name", "Required")]
    [InlineData("""{"name":"ok","type":"public"}""", "type", "Invalid enum value. Expected 'private' | 'group', received 'public'")]
    public async Task CreateRoom_InvalidField_ReturnsContractValidationShape(string json, string field, string message)
    {
        var alice = await hub.CreateUserAsync("alice");

        var reply = await hub.SendAsync(HttpMethod.Post, "/api/rooms", json, HubHttp.Bearer(alice.AccessToken));

        Assert.Equal(400, reply.Status);
        var expected = new JsonObject
        {
            ["ok"] = false,
            ["error"] = "Validation failed",
            ["fields"] = new JsonArray(new JsonObject { ["field"] = field, ["message"] = message }),
        };
        Assert.Equal(expected.ToJsonString(), reply.Body!.ToJsonString());
    }

    [Fact]
    public async Task AddMember_WronglyTypedMemberType_ReturnsValidationNamingField()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("typed");

        const string json = """{"memberId":"x","memberType":["user"]}""";

        var reply = await hub.SendAsync(HttpMethod.Post, $"/api/rooms/{roomId}/members", json, HubHttp.Bearer(alice.AccessToken));

        Assert.Equal(400, reply.Status);
        Assert.Equal("memberType", Assert.Single(reply.Body!["fields"]!.AsArray())!["field"]!.GetValue<string>());
    }

    private static JsonNode Member(JsonNode room, string memberId) =>
        room["members"]!.AsArray().Single(m => m!["memberId"]!.GetValue<string>() == memberId)!;

    private static async Task<JsonNode> GetRoomAsync(Session session, string roomId)
    {
        var (status, body) = await session.GetAsync($"/api/rooms/{roomId}");
        Assert.True(status == 200, $"get room: {status} {body}");
        return body!["data"]!;
    }
}
