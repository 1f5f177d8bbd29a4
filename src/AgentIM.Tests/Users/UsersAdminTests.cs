using System.Net.WebSockets;
using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Users;

/// <summary>The admin's user management: list, update (a new password ends every session), delete.</summary>
public sealed class UsersAdminTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ListUsers_AsAdmin_TotalTopLevelOldestFirstAndPaged()
    {
        var admin = await hub.LoginAdminAsync();
        var newest = await TestUsers.CreateAsync(hub, "listed");

        var (status, body) = await admin.GetAsync("/api/users?limit=1000");
        var (_, page) = await admin.GetAsync("/api/users?limit=1&offset=1");
        var (_, past) = await admin.GetAsync("/api/users?offset=100000");

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        var users = body["data"]!.AsArray();
        var total = body["total"]!.GetValue<int>();
        Assert.Equal(users.Count, total);
        Assert.Equal("admin", users[0]!["username"]!.GetValue<string>());
        Assert.Equal(newest.UserId, users.Last()!["id"]!.GetValue<string>());
        Assert.Equal(
            [
                "avatarUrl", "createdAt", "disabledAt", "displayName", "id", "maxGateways", "maxWsConnections", "role", "updatedAt",
                "username",
            ],
            users[0]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal(users[1]!["id"]!.GetValue<string>(), Assert.Single(page!["data"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal(total, page["total"]!.GetValue<int>());
        Assert.Empty(past!["data"]!.AsArray());
        Assert.Equal(total, past["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task AdminRoutes_AsPlainUser_Return403()
    {
        var user = await TestUsers.SharedAsync(hub);

        var responses = new[]
        {
            await user.GetAsync("/api/users"),
            await user.PutAsync($"/api/users/{user.UserId}", new { role = "admin" }),
            await user.DeleteAsync($"/api/users/{user.UserId}"),
        };

        Assert.All(responses, r =>
        {
            Assert.Equal(403, r.Status);
            Assert.Equal("Admin access required", r.Body!["error"]!.GetValue<string>());
        });
        Assert.Equal("user", (await user.GetAsync("/api/users/me")).Body!["data"]!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateUser_FieldsAndLimits_NullClearsAbsentKeeps()
    {
        var admin = await hub.LoginAdminAsync();
        var target = await TestUsers.CreateAsync(hub, "target");

        var (status, body) = await admin.PutAsync(
            $"/api/users/{target.UserId}", new { displayName = "<b>Tee</b>", role = "admin", maxWsConnections = 3, maxGateways = 2 });
        var (_, cleared) = await admin.SendAsync(HttpMethod.Put, $"/api/users/{target.UserId}", JsonNode.Parse("""{"maxGateways":null}"""));

        Assert.Equal(200, status);
        var data = body!["data"]!.AsObject();
        Assert.Equal(
            ["createdAt", "displayName", "id", "maxGateways", "maxWsConnections", "role", "updatedAt", "username"],
            data.Select(p => p.Key).Order());
        Assert.Equal("Tee", data["displayName"]!.GetValue<string>());
        Assert.Equal("admin", data["role"]!.GetValue<string>());
        Assert.Equal(3, data["maxWsConnections"]!.GetValue<int>());
        Assert.Equal(2, data["maxGateways"]!.GetValue<int>());
        Assert.Null(cleared!["data"]!["maxGateways"]);
        Assert.Equal(3, cleared["data"]!["maxWsConnections"]!.GetValue<int>());
        Assert.Equal(200, (await target.GetAsync("/api/users/me")).Status);
    }

    [Fact]
    public async Task UpdateUser_Errors_ValidationSelfDemoteNotFoundBadId()
    {
        var admin = await hub.LoginAdminAsync();
        var user = await TestUsers.SharedAsync(hub);

        var (limitStatus, limit) = await admin.PutAsync($"/api/users/{user.UserId}", new { maxWsConnections = 0 });
        var (roleStatus, role) = await admin.PutAsync($"/api/users/{user.UserId}", new { role = "root" });
        var (weakStatus, weak) = await admin.PutAsync($"/api/users/{user.UserId}", new { password = "weakpass" });
        var (demoteStatus, demote) = await admin.PutAsync($"/api/users/{admin.UserId}", new { role = "user" });
        var (missingStatus, missing) = await admin.PutAsync("/api/users/no-such-user", new { displayName = "x" });
        var (badStatus, bad) = await admin.PutAsync("/api/users/bad.id", new { displayName = "x" });

        Assert.Equal(400, limitStatus);
        Assert.Equal("maxWsConnections", limit!["fields"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(400, roleStatus);
        Assert.Equal("role", role!["fields"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(400, weakStatus);
        Assert.Contains(weak!["fields"]!.AsArray(), f => f!["message"]!.GetValue<string>() == "validation.passwordUppercase");
        Assert.Equal(400, demoteStatus);
        Assert.Equal("Cannot demote yourself", demote!["error"]!.GetValue<string>());
        Assert.Equal(404, missingStatus);
        Assert.Equal("User not found", missing!["error"]!.GetValue<string>());
        Assert.Equal(400, badStatus);
        Assert.Equal("Invalid parameter: id", bad!["error"]!.GetValue<string>());
        Assert.Equal("admin", (await admin.GetAsync("/api/users/me")).Body!["data"]!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateUser_NewPassword_EndsEverySessionAndClosesEverySocket()
    {
        var admin = await hub.LoginAdminAsync();
        var bob = await TestUsers.CreateAsync(hub, "bob");
        var bobAgain = await hub.LoginAsync(bob.Username, HubFixture.UserPassword);
        await using var client = await WsPeer.ClientAsync(bob);
        await using var gateway = await WsPeer.GatewayAsync(bobAgain, Unique.Id("gw"));

        var (status, _) = await admin.PutAsync($"/api/users/{bob.UserId}", new { password = "Reset-Pass-77" });

        Assert.Equal(200, status);
        foreach (var socket in new[] { client, gateway })
        {
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.WaitForCloseAsync(Deadline));
            Assert.Equal("SESSION_REVOKED", Assert.Single(socket.All("server:error"))["code"]!.GetValue<string>());
        }

        Assert.Equal(401, (await bob.GetAsync("/api/users/me")).Status);
        Assert.Equal(401, (await bobAgain.GetAsync("/api/users/me")).Status);
        Assert.Equal(401, (await bob.PostAsync("/api/auth/refresh", new { refreshToken = bobAgain.RefreshToken })).Status);
        await hub.LoginAsync(bob.Username, "Reset-Pass-77");
        Assert.Equal(200, (await admin.GetAsync("/api/users/me")).Status);
    }

    [Fact]
    public async Task DeleteUser_SelfNotFoundBadId_Refused()
    {
        var admin = await hub.LoginAdminAsync();

        var (selfStatus, self) = await admin.DeleteAsync($"/api/users/{admin.UserId}");
        var (missingStatus, missing) = await admin.DeleteAsync("/api/users/no-such-user");
        var (badStatus, _) = await admin.DeleteAsync("/api/users/bad.id");

        Assert.Equal(400, selfStatus);
        Assert.Equal("Cannot delete yourself", self!["error"]!.GetValue<string>());
        Assert.Equal(404, missingStatus);
        Assert.Equal("User not found", missing!["error"]!.GetValue<string>());
        Assert.Equal(400, badStatus);
    }

    [Fact]
    public async Task DeleteUser_ClosesSocketsRemovesRoomsMembershipsAssignmentsAndUnlinkedUploads()
    {
        var admin = await hub.LoginAdminAsync();
        var victim = await TestUsers.CreateAsync(hub, "victim");
        var carol = await TestUsers.CreateAsync(hub, "carol");
        var ownRoom = await victim.CreateRoomAsync("victims", carol.UserId);
        var carolsRoom = await carol.CreateRoomAsync("carols", victim.UserId);
        var task = Unique.Id("task");
        await TestSql.ExecuteAsync(
            hub,
            "INSERT INTO tasks (id, room_id, title, assignee_id, assignee_type, created_by_id, created_at, updated_at) "
            + "VALUES ($1, $2, 't', $3, 'user', $4, now(), now())",
            task, carolsRoom, victim.UserId, carol.UserId);
        var file = Path.Combine(hub.Config.UploadDir, $"{Unique.Id("up")}.png");
        await File.WriteAllTextAsync(file, "png");
        var upload = Unique.Id("att");
        await TestSql.ExecuteAsync(
            hub,
            "INSERT INTO message_attachments (id, filename, mime_type, size, url, uploaded_by, created_at) "
            + "VALUES ($1, 'a.png', 'image/png', 3, $2, $3, now())",
            upload, "/uploads/" + Path.GetFileName(file), victim.UserId);
        await using var victimSocket = await WsPeer.ClientAsync(victim, ownRoom);
        await using var carolSocket = await WsPeer.ClientAsync(carol, ownRoom, carolsRoom);

        var (status, body) = await admin.DeleteAsync($"/api/users/{victim.UserId}");

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await victimSocket.WaitForCloseAsync(Deadline));
        Assert.Equal("SESSION_REVOKED", Assert.Single(victimSocket.All("server:error"))["code"]!.GetValue<string>());
        Assert.Equal(ownRoom, (await carolSocket.WaitForAsync("server:room_removed", null, Deadline))["roomId"]!.GetValue<string>());
        var update = await carolSocket.WaitForAsync(
            "server:room_update", f => f["room"]!["id"]!.GetValue<string>() == carolsRoom, Deadline);
        Assert.DoesNotContain(update["members"]!.AsArray(), m => m!["memberId"]!.GetValue<string>() == victim.UserId);
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM users WHERE id = $1", victim.UserId));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM rooms WHERE id = $1", ownRoom));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM room_members WHERE member_id = $1", victim.UserId));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM tasks WHERE id = $1 AND assignee_id IS NOT NULL", task));
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM tasks WHERE id = $1", task));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM message_attachments WHERE id = $1", upload));
        Assert.False(File.Exists(file));
        Assert.Equal(401, (await victim.GetAsync("/api/rooms")).Status);
        Assert.Equal(200, (await carol.GetAsync($"/api/rooms/{carolsRoom}")).Status);
        Assert.Equal(404, (await admin.DeleteAsync($"/api/users/{victim.UserId}")).Status);
    }
}
