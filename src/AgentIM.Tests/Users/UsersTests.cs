using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Users;

/// <summary>
/// /api/users: the caller's profile, admin-only creation, the contract's validation shape, and usernames unique
/// regardless of letter case (case B19).
/// </summary>
public sealed class UsersTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly string[] MeKeys = ["id", "username", "displayName", "avatarUrl", "role", "createdAt", "updatedAt"];
    private static readonly string[] CreatedKeys = ["id", "username", "displayName", "role", "createdAt", "updatedAt"];

    [Fact]
    public async Task GetMe_ValidToken_ReturnsCallersProfile()
    {
        var alice = await hub.CreateUserAsync("alice");

        var (status, body) = await alice.GetAsync("/api/users/me");

        Assert.Equal(200, status);
        var data = body!["data"]!.AsObject();
        Assert.All(MeKeys, key => Assert.True(data.ContainsKey(key), $"missing {key} in {data}"));
        Assert.Equal(alice.UserId, data["id"]!.GetValue<string>());
        Assert.Equal(alice.Username, data["username"]!.GetValue<string>());
        Assert.Equal("user", data["role"]!.GetValue<string>());
        Assert.Null(data["avatarUrl"]);
        Assert.False(data.ContainsKey("passwordHash"));
        Assert.Matches(Timestamps.IsoUtcMillis, data["createdAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateUser_AsAdmin_Returns200WithCreatedUser()
    {
        var admin = await hub.LoginAdminAsync();
        var username = Unique("dave");

        var (status, body) = await admin.PostAsync("/api/users", new { username, password = HubFixture.UserPassword });

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        var data = body["data"]!.AsObject();
        Assert.Equal(CreatedKeys.Order(), data.Select(p => p.Key).Order());
        Assert.Equal(username, data["username"]!.GetValue<string>());
        Assert.Equal(username, data["displayName"]!.GetValue<string>());
        Assert.Equal("user", data["role"]!.GetValue<string>());
        Assert.Matches(Timestamps.IsoUtcMillis, data["createdAt"]!.GetValue<string>());
        Assert.Equal(data["createdAt"]!.GetValue<string>(), data["updatedAt"]!.GetValue<string>());
        var session = await hub.LoginAsync(username, HubFixture.UserPassword);
        Assert.Equal(data["id"]!.GetValue<string>(), session.UserId);
    }

    [Fact]
    public async Task CreateUser_WithDisplayNameAndAdminRole_StoresBoth()
    {
        var admin = await hub.LoginAdminAsync();
        var username = Unique("erin");

        var (status, body) = await admin.PostAsync("/api/users", new
        {
            username, password = HubFixture.UserPassword, displayName = "Erin <b>Ops</b>", role = "admin",
        });

        Assert.Equal(200, status);
        Assert.Equal("admin", body!["data"]!["role"]!.GetValue<string>());
        Assert.DoesNotContain("<", body["data"]!["displayName"]!.GetValue<string>());
        var erin = await hub.LoginAsync(username, HubFixture.UserPassword);
        var (byNewAdmin, _) = await erin.PostAsync("/api/users", new { username = Unique("fred"), password = HubFixture.UserPassword });
        Assert.Equal(200, byNewAdmin);
    }

    [Fact]
    public async Task CreateUser_AsNonAdmin_Returns403AdminRequired()
    {
        var alice = await hub.CreateUserAsync("alice");

        var (status, body) = await alice.PostAsync("/api/users", new { username = Unique("mallory"), password = HubFixture.UserPassword });

        Assert.Equal(403, status);
        Assert.Equal("Admin access required", body!["error"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("alllowercase1", "validation.passwordUppercase")]
    [InlineData("ALLUPPERCASE1", "validation.passwordLowercase")]
    [InlineData("NoDigitsHere", "validation.passwordDigit")]
    [InlineData("Sh0rt", "validation.passwordMinLength")]
    public async Task CreateUser_WeakPassword_ReturnsValidationWithI18nKey(string password, string key)
    {
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await admin.PostAsync("/api/users", new { username = Unique("weak"), password });

        Assert.Equal(400, status);
        AssertValidation(body, "password", key);
    }

    [Fact]
    public async Task CreateUser_PasswordOverMaxLength_ReturnsMaxLengthKey()
    {
        var admin = await hub.LoginAdminAsync();

        var password = "Aa1" + new string('x', 126);

        var (status, body) = await admin.PostAsync("/api/users", new { username = Unique("long"), password });

        Assert.Equal(400, status);
        AssertValidation(body, "password", "validation.passwordMaxLength");
    }

    [Fact]
    public async Task CreateUser_SeveralProblems_ReportsEveryField()
    {
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await admin.PostAsync("/api/users", new { username = "ab", password = "short", role = "root" });

        Assert.Equal(400, status);
        var fields = body!["fields"]!.AsArray().Select(f => f!["field"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "username", "password", "role" }, fields);
        AssertValidation(body, "username", "String must contain at least 3 character(s)");
    }

    [Fact]
    public async Task CreateUser_WhitespaceDisplayName_ReturnsDisplayNameKey()
    {
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await admin.PostAsync(
            "/api/users", new { username = Unique("gail"), password = HubFixture.UserPassword, displayName = "   " });

        Assert.Equal(400, status);
        AssertValidation(body, "displayName", "validation.displayNameWhitespace");
    }

    [Fact]
    public async Task CreateUser_WronglyTypedField_ReturnsValidationNamingField()
    {
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await admin.PostAsync("/api/users", new { username = 12345, password = HubFixture.UserPassword });

        Assert.Equal(400, status);
        Assert.Equal("Validation failed", body!["error"]!.GetValue<string>());
        Assert.Equal("username", Assert.Single(body["fields"]!.AsArray())!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateUser_SameNameInOtherLetterCase_Returns409()
    {
        var admin = await hub.LoginAdminAsync();
        var username = Unique("alice");
        Assert.Equal(200, (await admin.PostAsync("/api/users", new { username, password = HubFixture.UserPassword })).Status);

        foreach (var variant in new[] { char.ToUpperInvariant(username[0]) + username[1..], username.ToUpperInvariant(), username })
        {
            var (status, body) = await admin.PostAsync("/api/users", new { username = variant, password = HubFixture.UserPassword });

            Assert.Equal(409, status);
            Assert.Equal("Username already taken", body!["error"]!.GetValue<string>());
        }

        Assert.Equal(1L, await CountCaseInsensitiveAsync(username));
    }

    [Fact]
    public async Task CreateUser_ConcurrentCaseVariants_ExactlyOneWins()
    {
        var admin = await hub.LoginAdminAsync();
        for (var round = 0; round < 5; round++)
        {
            var lower = Unique("carol");
            var variants = new[] { lower, char.ToUpperInvariant(lower[0]) + lower[1..] };
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racers = variants.Select(async name =>
            {
                await gate.Task;
                return await admin.PostAsync("/api/users", new { username = name, password = HubFixture.UserPassword });
            }).ToArray();
            gate.SetResult();
            var replies = await Task.WhenAll(racers);

            Assert.Single(replies, r => r.Status == 200);
            var loser = Assert.Single(replies, r => r.Status != 200);
            Assert.Equal(409, loser.Status);
            Assert.Equal("Username already taken", loser.Body!["error"]!.GetValue<string>());
            Assert.Equal(1L, await CountCaseInsensitiveAsync(lower));
        }
    }

    [Theory]
    [InlineData("\u0430lice")]
    [InlineData("bob\u200Bby")]
    [InlineData("ca rol")]
    [InlineData("dave.smith")]
    public async Task CreateUser_CharactersOutsideUsernameRule_Returns400(string username)
    {
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await admin.PostAsync("/api/users", new { username, password = HubFixture.UserPassword });

        Assert.Equal(400, status);
        Assert.Equal("Validation failed", body!["error"]!.GetValue<string>());
        Assert.Contains(body["fields"]!.AsArray(), f => f!["field"]!.GetValue<string>() == "username");
    }

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 8)];

    private Task<long> CountCaseInsensitiveAsync(string username) =>
        TestSql.ScalarAsync<long>(hub.DatabaseUrl, "SELECT count(*) FROM users WHERE lower(username) = lower($1)", username);

    private static void AssertValidation(JsonNode? body, string field, string message)
    {
        Assert.False(body!["ok"]!.GetValue<bool>());
        Assert.Equal("Validation failed", body["error"]!.GetValue<string>());
        var fields = body["fields"]!.AsArray();
        Assert.All(fields, f => Assert.Equal(["field", "message"], f!.AsObject().Select(p => p.Key)));
        Assert.Contains(fields, f => f!["field"]!.GetValue<string>() == field && f["message"]!.GetValue<string>() == message);
    }
}
