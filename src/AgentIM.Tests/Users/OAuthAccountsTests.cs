using AgentIM.Tests.Http;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Users;

/// <summary>GET /api/users/me/oauth-accounts (rest-api.md #19): the caller's linked sign-ins only, never the provider tokens.</summary>
public sealed class OAuthAccountsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task OAuthAccounts_NoneLinked_IsAnEmptyArray()
    {
        var alice = await hub.CreateUserAsync("alice");

        var (status, body) = await alice.GetAsync("/api/users/me/oauth-accounts");

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        Assert.Empty(body["data"]!.AsArray());
    }

    [Fact]
    public async Task OAuthAccounts_Linked_ListsOwnRowsWithoutTokens()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        await TestSql.ExecuteAsync(
            hub,
            """
            INSERT INTO oauth_accounts (id, user_id, provider, provider_account_id, email, display_name, access_token, refresh_token)
            VALUES ($1, $2, 'github', '4242', 'alice@example.com', 'Alice', 'enc:secret-access', 'enc:secret-refresh'),
                   ($3, $4, 'google', '77', NULL, NULL, NULL, NULL)
            """,
            Unique.Id("oa"), alice.UserId, Unique.Id("ob"), bob.UserId);

        var (status, body) = await alice.GetAsync("/api/users/me/oauth-accounts");

        Assert.Equal(200, status);
        var account = Assert.Single(body!["data"]!.AsArray())!.AsObject();
        Assert.Equal("github", account["provider"]!.GetValue<string>());
        Assert.Equal("4242", account["providerAccountId"]!.GetValue<string>());
        Assert.Equal("alice@example.com", account["email"]!.GetValue<string>());
        Assert.Equal("Alice", account["displayName"]!.GetValue<string>());
        Assert.True(account.ContainsKey("avatarUrl"));
        Assert.Null(account["avatarUrl"]);
        Assert.Matches(Timestamps.IsoUtcMillis, account["createdAt"]!.GetValue<string>());
        Assert.Matches(Timestamps.IsoUtcMillis, account["updatedAt"]!.GetValue<string>());
        Assert.DoesNotContain("secret", body.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OAuthAccounts_NoToken_Is401()
    {
        using var response = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/users/me/oauth-accounts");

        Assert.Equal(401, (int)response.StatusCode);
    }
}
