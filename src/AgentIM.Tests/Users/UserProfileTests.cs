using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Users;

/// <summary>The caller's own account: <c>PUT /api/users/me</c>, <c>GET /api/users/search</c> and the password change's refusals.</summary>
public sealed class UserProfileTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task UpdateMe_DisplayNameAndAvatar_ReturnsProfileWithHtmlStripped()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");

        var (status, body) = await alice.PutAsync(
            "/api/users/me", new { displayName = "<i>Alice</i> A.", avatarUrl = "/uploads/av_1.png" });
        var (_, unchanged) = await alice.PutAsync("/api/users/me", new { });

        Assert.Equal(200, status);
        var data = body!["data"]!.AsObject();
        Assert.Equal(alice.UserId, data["id"]!.GetValue<string>());
        Assert.Equal(alice.Username, data["username"]!.GetValue<string>());
        Assert.Equal("Alice A.", data["displayName"]!.GetValue<string>());
        Assert.Equal("/uploads/av_1.png", data["avatarUrl"]!.GetValue<string>());
        Assert.Equal("user", data["role"]!.GetValue<string>());
        Assert.Matches(Timestamps.IsoUtcMillis, data["updatedAt"]!.GetValue<string>());
        Assert.Equal("Alice A.", unchanged!["data"]!["displayName"]!.GetValue<string>());
        Assert.Equal("/uploads/av_1.png", (await alice.GetAsync("/api/users/me")).Body!["data"]!["avatarUrl"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/uploads/../etc/passwd", "validation.avatarUrlTraversal")]
    [InlineData("https://evil.example/a.png", "validation.avatarUrlInvalid")]
    [InlineData("/uploads/sub/a.png", "validation.avatarUrlInvalid")]
    [InlineData("/uploads/.hidden", "validation.avatarUrlInvalid")]
    public async Task UpdateMe_BadAvatarUrl_ReturnsValidationKey(string avatarUrl, string key)
    {
        var user = await TestUsers.SharedAsync(hub);

        var (status, body) = await user.PutAsync("/api/users/me", new { avatarUrl });

        Assert.Equal(400, status);
        Assert.Equal("Validation failed", body!["error"]!.GetValue<string>());
        var field = Assert.Single(body["fields"]!.AsArray())!;
        Assert.Equal("avatarUrl", field["field"]!.GetValue<string>());
        Assert.Equal(key, field["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateMe_BlankOrLongDisplayName_Returns400()
    {
        var user = await TestUsers.SharedAsync(hub);

        var (blankStatus, blank) = await user.PutAsync("/api/users/me", new { displayName = "   " });
        var (longStatus, tooLong) = await user.PutAsync("/api/users/me", new { displayName = new string('x', 101) });
        var (tagStatus, onlyTags) = await user.PutAsync("/api/users/me", new { displayName = "<b></b>" });

        Assert.Equal(400, blankStatus);
        Assert.Equal("validation.displayNameWhitespace", blank!["fields"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(400, longStatus);
        Assert.Equal("displayName", tooLong!["fields"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(400, tagStatus);
        Assert.Equal("validation.displayNameWhitespace", onlyTags!["fields"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Search_MatchesUsernameOrDisplayNameIgnoringCaseExcludingCaller()
    {
        var marker = Unique.Id("zq").Replace("-", "", StringComparison.Ordinal)[..10];
        var seeker = await TestUsers.CreateAsync(hub, marker);
        var byName = await TestUsers.CreateAsync(hub, marker);
        var byDisplay = await TestUsers.SharedAsync(hub);
        await byDisplay.PutAsync("/api/users/me", new { displayName = $"Display {marker.ToUpperInvariant()}" });

        var (status, body) = await seeker.GetAsync($"/api/users/search?q=%20{marker.ToUpperInvariant()}%20");
        var (_, shortBody) = await seeker.GetAsync("/api/users/search?q=a");
        var (_, wildcard) = await seeker.GetAsync("/api/users/search?q=%25%25");

        Assert.Equal(200, status);
        var found = body!["data"]!.AsArray().Select(u => u!.AsObject()).ToList();
        Assert.Equal(new[] { byDisplay.UserId, byName.UserId }.Order(), found.Select(u => u["id"]!.GetValue<string>()).Order());
        Assert.All(found, u => Assert.Equal(["avatarUrl", "displayName", "id", "username"], u.Select(p => p.Key).Order()));
        Assert.Empty(shortBody!["data"]!.AsArray());
        Assert.Empty(wildcard!["data"]!.AsArray());
    }

    [Fact]
    public async Task ChangePassword_WrongCurrentWeakNewOrNoPassword_Returns400AndKeepsSession()
    {
        var bob = await TestUsers.CreateAsync(hub, "bob");

        var (wrongStatus, wrong) = await bob.PutAsync(
            "/api/users/me/password", new { currentPassword = "nope", newPassword = "Fresh-Pass-42" });
        var (weakStatus, weak) = await bob.PutAsync(
            "/api/users/me/password", new { currentPassword = HubFixture.UserPassword, newPassword = "short" });
        var (missingStatus, missing) = await bob.PutAsync("/api/users/me/password", new { newPassword = "Fresh-Pass-42" });
        await TestSql.ExecuteAsync(hub, "UPDATE users SET password_hash = NULL WHERE id = $1", bob.UserId);
        var (noneStatus, none) = await bob.PutAsync("/api/users/me/password", new { currentPassword = "x", newPassword = "Fresh-Pass-42" });

        Assert.Equal(400, wrongStatus);
        Assert.Equal("Current password is incorrect", wrong!["error"]!.GetValue<string>());
        Assert.Equal(400, weakStatus);
        Assert.Contains(
            weak!["fields"]!.AsArray(),
            f => f!["field"]!.GetValue<string>() == "newPassword" && f["message"]!.GetValue<string>() == "validation.passwordMinLength");
        Assert.Equal(400, missingStatus);
        Assert.Equal("currentPassword", missing!["fields"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(400, noneStatus);
        Assert.Equal("No password set for this account", none!["error"]!.GetValue<string>());
        Assert.Equal(200, (await bob.GetAsync("/api/users/me")).Status);
    }

    [Fact]
    public async Task ChangePassword_DeletedUser_Returns404()
    {
        var ghost = await TestUsers.CreateAsync(hub, "ghost");
        await TestSql.ExecuteAsync(hub, "DELETE FROM users WHERE id = $1", ghost.UserId);

        var (status, body) = await ghost.PutAsync(
            "/api/users/me/password", new { currentPassword = HubFixture.UserPassword, newPassword = "Fresh-Pass-42" });

        Assert.Equal(404, status);
        Assert.Equal("User not found", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChangePassword_NotJson_Returns400InvalidJson()
    {
        var user = await TestUsers.SharedAsync(hub);

        var (status, body) = await user.SendAsync(HttpMethod.Put, "/api/users/me/password", JsonValue.Create("not an object"));

        Assert.Equal(400, status);
        Assert.Equal("Invalid JSON body", body!["error"]!.GetValue<string>());
    }
}
