using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Auth;

/// <summary>
/// Bearer checks on a protected route (rest-api.md §0.2): each refusal carries the contract's text, and no forged,
/// tampered, unsigned or wrongly typed token gets through.
/// </summary>
public sealed class BearerTokenTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private const string ProtectedPath = "/api/users/me";

    [Fact]
    public async Task Request_NoAuthorizationHeader_Returns401Unauthorized()
    {
        var reply = await hub.GetAsync(ProtectedPath);

        Assert.Equal((401, "Unauthorized"), (reply.Status, reply.Error));
        Assert.False(reply.Body!["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Request_NonBearerScheme_Returns401Unauthorized()
    {
        var alice = await hub.CreateUserAsync("alice");

        var reply = await hub.GetAsync(ProtectedPath, $"Basic {alice.AccessToken}");

        Assert.Equal((401, "Unauthorized"), (reply.Status, reply.Error));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    public async Task Request_GarbageToken_Returns401InvalidOrExpired(string token)
    {
        var reply = await hub.GetAsync(ProtectedPath, HubHttp.Bearer(token));

        Assert.Equal((401, "Invalid or expired token"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task Request_TamperedPayload_IsRefused()
    {
        var alice = await hub.CreateUserAsync("alice");
        var admin = await hub.LoginAdminAsync();
        var payload = Jwt.Payload(alice.AccessToken);
        payload["sub"] = admin.UserId;
        payload["username"] = HubFixture.AdminUsername;

        var reply = await hub.GetAsync(ProtectedPath, HubHttp.Bearer(Jwt.WithPayload(alice.AccessToken, payload)));

        Assert.Equal((401, "Invalid or expired token"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task Request_TamperedSignature_IsRefused()
    {
        var alice = await hub.CreateUserAsync("alice");
        var parts = alice.AccessToken.Split('.');
        var signature = parts[2].ToCharArray();
        signature[0] = signature[0] == 'A' ? 'B' : 'A';

        var reply = await hub.GetAsync(ProtectedPath, HubHttp.Bearer($"{parts[0]}.{parts[1]}.{new string(signature)}"));

        Assert.Equal((401, "Invalid or expired token"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task Request_UnsignedAlgNoneToken_IsRefused()
    {
        var alice = await hub.CreateUserAsync("alice");
        var unsigned = Jwt.Unsigned(Jwt.Payload(alice.AccessToken));

        var reply = await hub.GetAsync(ProtectedPath, HubHttp.Bearer(unsigned));

        Assert.Equal((401, "Invalid or expired token"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task Request_TokenSignedWithAnotherSecret_IsRefused()
    {
        var alice = await hub.CreateUserAsync("alice");

        var forged = Jwt.Sign(Jwt.Payload(alice.AccessToken), "some-other-secret-that-is-long-enough-0123456789");
        var reply = await hub.GetAsync(ProtectedPath, HubHttp.Bearer(forged));

        Assert.Equal((401, "Invalid or expired token"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task Request_ValidlySignedTokenOfOtherType_Returns401InvalidTokenType()
    {
        var alice = await hub.CreateUserAsync("alice");
        var payload = Jwt.Payload(alice.AccessToken);
        payload["type"] = "refresh";

        var reply = await hub.GetAsync(ProtectedPath, HubHttp.Bearer(Jwt.Sign(payload, hub.Config.JwtSecret)));

        Assert.Equal((401, "Invalid token type"), (reply.Status, reply.Error));
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("iss")]
    [InlineData("aud")]
    public async Task Request_ValidlySignedTokenWithBadClaim_Returns401InvalidOrExpired(string claim)
    {
        var alice = await hub.CreateUserAsync("alice");
        var payload = Jwt.Payload(alice.AccessToken);
        payload[claim] = claim == "exp" ? JsonValue.Create(DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeSeconds()) : "someone-else";

        var reply = await hub.GetAsync(ProtectedPath, HubHttp.Bearer(Jwt.Sign(payload, hub.Config.JwtSecret)));

        Assert.Equal((401, "Invalid or expired token"), (reply.Status, reply.Error));
    }

    [Fact]
    public async Task Request_RefreshTokenAsBearer_IsRefused()
    {
        var alice = await hub.CreateUserAsync("alice");

        var reply = await hub.GetAsync(ProtectedPath, HubHttp.Bearer(alice.RefreshToken));

        Assert.Equal(401, reply.Status);
    }

    [Fact]
    public async Task Request_ValidToken_IsAccepted()
    {
        var alice = await hub.CreateUserAsync("alice");

        // The control for every refusal above: the same route with the token as issued works.
        var reply = await hub.GetAsync(ProtectedPath, HubHttp.Bearer(alice.AccessToken));

        Assert.Equal(200, reply.Status);
    }
}
