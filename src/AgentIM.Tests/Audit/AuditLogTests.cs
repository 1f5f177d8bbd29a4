using AgentIM.Audit;
using AgentIM.Tests.Messages;
using AgentIM.Tests.Support;
using AgentIM.Tests.Uploads;

namespace AgentIM.Tests.Audit;

/// <summary>
/// The audit trail of data-model.md §2.19: the contract's actions are written with who did it, what it touched and
/// the client address (the socket peer here: loopback, no forwarding header).
/// </summary>
public sealed class AuditLogTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Login_WrongThenRightPassword_WritesLoginFailedWithAttemptsThenLogin()
    {
        var alice = await hub.CreateUserAsync("alice");
        var (wrong, _) = await PostLoginAsync(alice.Username, "Wrong-Pass-1");
        Assert.Equal(401, wrong);
        var again = await hub.LoginAsync(alice.Username, HubFixture.UserPassword);

        var rows = await AuditRows.ForTargetAsync(hub, alice.UserId);

        var failed = Assert.Single(rows, r => r.Action == "login_failed");
        Assert.Equal(alice.UserId, failed.UserId);
        Assert.Equal("user", failed.TargetType);
        Assert.Equal(alice.Username, failed.Metadata!["username"]!.GetValue<string>());
        Assert.Equal(1, failed.Metadata["attempts"]!.GetValue<int>());
        Assert.Equal("127.0.0.1", failed.IpAddress);
        Assert.Equal(2, rows.Count(r => r.Action == "login"));
        Assert.All(rows, r => Assert.Equal("127.0.0.1", r.IpAddress));
        Assert.NotNull(again);
    }

    [Fact]
    public async Task Login_UnknownUser_WritesLoginFailedWithoutUser()
    {
        var name = Unique.Id("ghost");
        var (status, _) = await PostLoginAsync(name, "Whatever-Pass-1");
        Assert.Equal(401, status);

        var count = await TestSql.CountAsync(
            hub, "SELECT count(*) FROM audit_logs WHERE action = 'login_failed' AND user_id IS NULL AND metadata->>'username' = $1", name);

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task LogoutAndPasswordChange_AreAudited()
    {
        var alice = await hub.CreateUserAsync("alice");
        var (logout, _) = await alice.PostAsync("/api/auth/logout", new { });
        Assert.Equal(200, logout);
        var fresh = await hub.LoginAsync(alice.Username, HubFixture.UserPassword);
        var (changed, _) = await fresh.PutAsync(
            "/api/users/me/password", new { currentPassword = HubFixture.UserPassword, newPassword = "Changed-Pass-42" });
        Assert.Equal(200, changed);

        var actions = (await AuditRows.ForTargetAsync(hub, alice.UserId)).Select(r => r.Action).ToList();

        Assert.Contains("logout", actions);
        Assert.Contains("password_change", actions);
    }

    [Fact]
    public async Task AdminUserManagement_WritesCreateUpdateDeleteByTheAdmin()
    {
        var admin = await hub.LoginAdminAsync();
        var username = Unique.Id("audited");
        var (_, created) = await admin.PostAsync("/api/users", new { username, password = HubFixture.UserPassword });
        var id = created!["data"]!["id"]!.GetValue<string>();
        await admin.PutAsync($"/api/users/{id}", new { displayName = "Renamed", maxGateways = 3 });
        var (deleted, _) = await admin.DeleteAsync($"/api/users/{id}");
        Assert.Equal(200, deleted);

        var rows = await AuditRows.ForTargetAsync(hub, id);

        Assert.Equal(new[] { "user_create", "user_update", "user_delete" }, rows.Select(r => r.Action));
        Assert.All(rows, r => Assert.Equal(admin.UserId, r.UserId));
        Assert.Equal(username, rows[0].Metadata!["username"]!.GetValue<string>());
        Assert.Equal(new[] { "displayName", "maxGateways" }, rows[1].Metadata!["fields"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task RoomAndMemberChanges_AreAudited()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var roomId = await alice.CreateRoomAsync("audited-room");
        await alice.PutAsync($"/api/rooms/{roomId}", new { name = "renamed" });
        await alice.AddMemberAsync(roomId, bob.UserId, "user");
        await alice.DeleteAsync($"/api/rooms/{roomId}/members/{bob.UserId}");
        await alice.DeleteAsync($"/api/rooms/{roomId}");

        var roomRows = await AuditRows.ForTargetAsync(hub, roomId);
        var memberRows = await AuditRows.ForTargetAsync(hub, bob.UserId);

        Assert.Equal(new[] { "room_create", "room_update", "room_delete" }, roomRows.Select(r => r.Action));
        Assert.All(roomRows, r => Assert.Equal(alice.UserId, r.UserId));
        Assert.Equal(new[] { "member_add", "member_remove" }, memberRows.Where(r => r.TargetType == "member").Select(r => r.Action));
        Assert.All(memberRows.Where(r => r.TargetType == "member"), r => Assert.Equal(roomId, r.Metadata!["roomId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task RouterAndSettingChanges_AreAuditedWithoutSecrets()
    {
        var admin = await hub.LoginAdminAsync();
        var (_, created) = await admin.PostAsync("/api/routers", new
        {
            name = Unique.Id("audit"),
            llmBaseUrl = "https://203.0.113.10/v1",
            llmApiKey = "sk-audited-secret-key",
            llmModel = "gpt-test",
        });
        var routerId = created!["data"]!["id"]!.GetValue<string>();
        await admin.PutAsync($"/api/routers/{routerId}", new { llmModel = "gpt-other" });
        await admin.DeleteAsync($"/api/routers/{routerId}");
        var (put, _) = await admin.PutAsync("/api/admin/settings", new { changes = new Dictionary<string, string>
        {
            ["router.llm.apiKey"] = "sk-setting-secret-value",
        } });
        Assert.Equal(200, put);

        var routerRows = await AuditRows.ForTargetAsync(hub, routerId);
        var settingRows = await AuditRows.ForTargetAsync(hub, "router.llm.apiKey");
        var everything = await TestSql.CountAsync(
            hub, "SELECT count(*) FROM audit_logs WHERE metadata::text LIKE '%secret%'");

        Assert.Equal(new[] { "router_create", "router_update", "router_delete" }, routerRows.Select(r => r.Action));
        var setting = Assert.Single(settingRows);
        Assert.Equal("setting_update", setting.Action);
        Assert.Equal("setting", setting.TargetType);
        Assert.Equal(admin.UserId, setting.UserId);
        Assert.Equal(0, everything);
    }

    [Fact]
    public void Metadata_OverTheLimit_IsReplacedByItsSize()
    {
        var small = new AuditMetadata().Add("username", "alice").Add("attempts", 3).Add("locked", true).ToJson();
        var large = new AuditMetadata().Add("note", new string('x', 5000)).ToJson();

        Assert.Equal("{\"username\":\"alice\",\"attempts\":3,\"locked\":true}", small);
        Assert.StartsWith("{\"_truncated\":true,\"_originalSize\":", large);
        Assert.True(large.Length < 100);
    }

    private async Task<(int Status, string Body)> PostLoginAsync(string username, string password)
    {
        using var response = await Http.RawHttp.SendAsync(hub, HttpMethod.Post, "/api/auth/login", new { username, password });
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MessageEditDeleteAndFileUpload_AreAuditedWithTheirRoomAndFile()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("audited");
        var edited = await MessageRoutesCast.SendAsync(alice, roomId, "first");
        var deleted = await MessageRoutesCast.SendAsync(alice, roomId, "second");
        Assert.Equal(200, (await alice.PutAsync($"/api/messages/{edited}", new { content = "first, edited" })).Status);
        Assert.Equal(200, (await alice.DeleteAsync($"/api/messages/{deleted}")).Status);
        var upload = await alice.UploadAsync(UploadClient.Png, "shot.png", "image/png");
        Assert.Equal(200, upload.Status);
        var fileId = upload.Data["id"]!.GetValue<string>();

        var edit = Assert.Single(await AuditRows.ForTargetAsync(hub, edited));
        var delete = Assert.Single(await AuditRows.ForTargetAsync(hub, deleted));
        var file = Assert.Single(await AuditRows.ForTargetAsync(hub, fileId));

        Assert.Equal(("message_edit", "message", alice.UserId), (edit.Action, edit.TargetType, edit.UserId));
        Assert.Equal(roomId, edit.Metadata!["roomId"]!.GetValue<string>());
        Assert.Equal(("message_delete", "message", alice.UserId), (delete.Action, delete.TargetType, delete.UserId));
        Assert.Equal(roomId, delete.Metadata!["roomId"]!.GetValue<string>());
        Assert.Equal(("file_upload", "file", alice.UserId), (file.Action, file.TargetType, file.UserId));
        Assert.Equal("shot.png", file.Metadata!["filename"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", file.IpAddress);
    }
}
