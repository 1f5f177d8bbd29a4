using AgentIM.Tests.Support;

namespace AgentIM.Tests.Rooms;

/// <summary>
/// A room may name a router (rest-api.md #27, #29): an unknown one is 404 "Router not found", somebody else's
/// personal router or a global router the caller may not see is 403 "Router not accessible".
/// </summary>
public sealed class RoomRouterAccessTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private const string PublicUrl = "https://203.0.113.10/v1";

    [Fact]
    public async Task CreateRoom_WithOwnPersonalRouter_Is201AndKeepsIt()
    {
        var alice = await hub.CreateUserAsync("alice");
        var routerId = await CreateRouterAsync(alice, "mine");

        var (status, body) = await alice.PostAsync("/api/rooms", new { name = "routed", routerId });

        Assert.Equal(201, status);
        Assert.Equal(routerId, body!["data"]!["routerId"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateRoom_WithAnotherUsersPersonalRouter_Is403RouterNotAccessible()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var bobsRouter = await CreateRouterAsync(bob, "bobs");

        var (status, body) = await alice.PostAsync("/api/rooms", new { name = "stolen", routerId = bobsRouter });

        Assert.Equal(403, status);
        Assert.Equal("Router not accessible", body!["error"]!.GetValue<string>());
        var (_, rooms) = await alice.GetAsync("/api/rooms");
        Assert.DoesNotContain(rooms!["data"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "stolen");
    }

    [Fact]
    public async Task CreateRoom_WithUnknownRouter_Is404RouterNotFound()
    {
        var alice = await hub.CreateUserAsync("alice");

        var (status, body) = await alice.PostAsync("/api/rooms", new { name = "nowhere", routerId = "no-such-router" });

        Assert.Equal(404, status);
        Assert.Equal("Router not found", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateRoom_AnotherUsersPersonalRouter_Is403AndTheRoomKeepsItsRouter()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var aliceRouter = await CreateRouterAsync(alice, "alices");
        var bobsRouter = await CreateRouterAsync(bob, "bobs");
        var (_, created) = await alice.PostAsync("/api/rooms", new { name = "mine", routerId = aliceRouter });
        var roomId = created!["data"]!["id"]!.GetValue<string>();

        var (status, body) = await alice.PutAsync($"/api/rooms/{roomId}", new { routerId = bobsRouter });

        Assert.Equal(403, status);
        Assert.Equal("Router not accessible", body!["error"]!.GetValue<string>());
        var (_, room) = await alice.GetAsync($"/api/rooms/{roomId}");
        Assert.Equal(aliceRouter, room!["data"]!["routerId"]!.GetValue<string>());

        (status, body) = await alice.PutAsync($"/api/rooms/{roomId}", new { routerId = (string?)null });
        Assert.Equal(200, status);
        Assert.Null(body!["data"]!["routerId"]);
    }

    [Fact]
    public async Task GlobalRouter_VisibleToAll_MayBeAttachedButAWhitelistKeepsOthersOut()
    {
        var admin = await hub.LoginAdminAsync();
        var alice = await hub.CreateUserAsync("alice");
        var open = await CreateRouterAsync(admin, Unique.Id("open"), "global");
        var closed = await CreateRouterAsync(admin, Unique.Id("closed"), "global", "whitelist", ["someone-else"]);

        var (openStatus, _) = await alice.PostAsync("/api/rooms", new { name = "g1", routerId = open });
        var (closedStatus, closedBody) = await alice.PostAsync("/api/rooms", new { name = "g2", routerId = closed });
        var (adminStatus, _) = await admin.PostAsync("/api/rooms", new { name = "g3", routerId = closed });

        Assert.Equal(201, openStatus);
        Assert.Equal(403, closedStatus);
        Assert.Equal("Router not accessible", closedBody!["error"]!.GetValue<string>());
        Assert.Equal(201, adminStatus);
    }

    private static async Task<string> CreateRouterAsync(
        Session owner, string name, string scope = "personal", string visibility = "all", string[]? visibilityList = null)
    {
        var (status, body) = await owner.PostAsync("/api/routers", new
        {
            name,
            scope,
            llmBaseUrl = PublicUrl,
            llmApiKey = "sk-room-router-key-01",
            llmModel = "gpt-test",
            visibility,
            visibilityList = visibilityList ?? [],
        });
        Assert.True(status == 201, $"create router: {status} {body}");
        return body!["data"]!["id"]!.GetValue<string>();
    }
}
