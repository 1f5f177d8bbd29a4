using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AgentIM.Infrastructure.Crypto;
using AgentIM.Infrastructure.Db;
using AgentIM.Tests.Http;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Routers;

public sealed class RoutersHubFixture : HubFixture
{
    public const string EncryptionKey = "routers-test-encryption-key-0123456789";

    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["ENCRYPTION_KEY"] = EncryptionKey,
    };
}

/// <summary>
/// /api/routers. Base URLs are public literal addresses from the documentation ranges: the create and update routes
/// never contact them, and no test resolves a real name.
/// </summary>
public sealed class RoutersApiTests(RoutersHubFixture hub) : IClassFixture<RoutersHubFixture>
{
    private const string PublicUrl = "https://203.0.113.10/v1";

    [Fact]
    public async Task Create_PersonalRouter_Returns201WithMaskedKeyAndDefaults()
    {
        var user = await hub.CreateUserAsync();

        var (status, body) = await user.PostAsync("/api/routers",
            new { name = "mine", llmBaseUrl = PublicUrl, llmApiKey = "sk-abcdefghijkl-XY", llmModel = "gpt-test" });

        Assert.Equal(201, status);
        var router = body!["data"]!.AsObject();
        Assert.Equal(21, router["id"]!.GetValue<string>().Length);
        Assert.Equal("mine", router["name"]!.GetValue<string>());
        Assert.True(router.ContainsKey("description"));
        Assert.Null(router["description"]);
        Assert.Equal("personal", router["scope"]!.GetValue<string>());
        Assert.Equal(user.UserId, router["createdById"]!.GetValue<string>());
        Assert.Equal(PublicUrl, router["llmBaseUrl"]!.GetValue<string>());
        Assert.Equal("••••XY", router["llmApiKey"]!.GetValue<string>());
        Assert.Equal("gpt-test", router["llmModel"]!.GetValue<string>());
        Assert.Equal(5, router["maxChainDepth"]!.GetValue<int>());
        Assert.Equal(60, router["rateLimitWindow"]!.GetValue<int>());
        Assert.Equal(20, router["rateLimitMax"]!.GetValue<int>());
        Assert.Equal("all", router["visibility"]!.GetValue<string>());
        Assert.Empty(router["visibilityList"]!.AsArray());
        Assert.True(WireRules.IsWireTimestamp(router["createdAt"]!.GetValue<string>()));
        Assert.True(WireRules.IsWireTimestamp(router["updatedAt"]!.GetValue<string>()));

        var stored = await ScalarAsync("SELECT llm_api_key FROM routers WHERE id = $1", router["id"]!.GetValue<string>());
        Assert.StartsWith("enc:", stored);
        Assert.True(new SecretBox(RoutersHubFixture.EncryptionKey).TryDecrypt(stored!, out var key));
        Assert.Equal("sk-abcdefghijkl-XY", key);
    }

    [Fact]
    public async Task Create_ShortKey_IsFullyMasked()
    {
        var user = await hub.CreateUserAsync();

        var router = await CreateAsync(user, "short-key", apiKey: "12345678");

        Assert.Equal("••••", router["llmApiKey"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_InvalidFields_AnswersValidationErrors()
    {
        var user = await hub.CreateUserAsync();

        var (status, body) = await user.PostAsync("/api/routers", new
        {
            name = "   ",
            llmBaseUrl = "ftp://203.0.113.10",
            llmApiKey = " ",
            llmModel = "",
            maxChainDepth = 0,
            rateLimitWindow = 3601,
            visibility = "whitelist",
        });

        Assert.Equal(400, status);
        Assert.Equal("Validation failed", body!["error"]!.GetValue<string>());
        var fields = body["fields"]!.AsArray().ToDictionary(f => f!["field"]!.GetValue<string>(), f => f!["message"]!.GetValue<string>());
        Assert.Equal("validation.nameWhitespace", fields["name"]);
        Assert.Equal("validation.httpUrl", fields["llmBaseUrl"]);
        Assert.Equal("validation.apiKeyWhitespace", fields["llmApiKey"]);
        Assert.Equal("String must contain at least 1 character(s)", fields["llmModel"]);
        Assert.Equal("Number must be greater than or equal to 1", fields["maxChainDepth"]);
        Assert.Equal("Number must be less than or equal to 3600", fields["rateLimitWindow"]);
        Assert.Equal("validation.visibilityListRequired", fields["visibilityList"]);

        (status, body) = await user.PostAsync("/api/routers", new { name = "x" });
        Assert.Equal(400, status);
        Assert.Contains(
            body!["fields"]!.AsArray(),
            f => f!["field"]!.GetValue<string>() == "llmBaseUrl" && f["message"]!.GetValue<string>() == "Required");

        using var broken = await RawHttp.SendAsync(hub, HttpMethod.Post, "/api/routers", "{\"name\":", user.AccessToken);
        Assert.Equal(400, (int)broken.StatusCode);
        Assert.Contains("Invalid JSON body", await broken.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("http://localhost:11434/v1")]
    [InlineData("http://x.internal/v1")]
    [InlineData("http://127.0.0.1:8080/v1")]
    [InlineData("http://169.254.169.254/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://192.168.0.10/")]
    public async Task Create_InternalBaseUrl_IsRefused(string url)
    {
        var user = await hub.CreateUserAsync();

        var (status, body) = await user.PostAsync(
            "/api/routers", new { name = "ssrf", llmBaseUrl = url, llmApiKey = "sk-1234567890", llmModel = "m" });

        Assert.Equal(400, status);
        Assert.Equal("LLM base URL must not point to internal or private networks", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_GlobalRouter_NeedsAdmin()
    {
        var user = await hub.CreateUserAsync();
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await user.PostAsync("/api/routers", Body("g-user", scope: "global"));
        Assert.Equal(403, status);
        Assert.Equal("Admin access required to create global routers", body!["error"]!.GetValue<string>());

        (status, body) = await admin.PostAsync("/api/routers", Body($"g-admin-{Guid.NewGuid():N}", scope: "global"));
        Assert.Equal(201, status);
        Assert.Equal("global", body!["data"]!["scope"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_DuplicateNameForTheSameCreator_Answers409()
    {
        var user = await hub.CreateUserAsync();
        var other = await hub.CreateUserAsync();
        await CreateAsync(user, "same-name");

        var (status, body) = await user.PostAsync("/api/routers", Body("same-name"));
        Assert.Equal(409, status);
        Assert.Equal("A router with this name already exists", body!["error"]!.GetValue<string>());

        (status, _) = await other.PostAsync("/api/routers", Body("same-name"));
        Assert.Equal(201, status);
    }

    [Fact]
    public async Task List_ShowsOwnAndVisibleGlobalRouters_AdminSeesAll()
    {
        var admin = await hub.LoginAdminAsync();
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var alicePersonal = Id(await CreateAsync(alice, $"a-personal-{suffix}"));
        var bobPersonal = Id(await CreateAsync(bob, $"b-personal-{suffix}"));
        var forAll = Id(await CreateAsync(admin, $"g-all-{suffix}", scope: "global"));
        var forAlice = Id(await CreateAsync(admin, $"g-white-{suffix}", scope: "global", visibility: "whitelist", list: [alice.UserId]));
        var notAlice = Id(await CreateAsync(admin, $"g-black-{suffix}", scope: "global", visibility: "blacklist", list: [alice.UserId]));

        var aliceSees = await ListIdsAsync(alice);
        var bobSees = await ListIdsAsync(bob);
        var adminSees = await ListIdsAsync(admin);

        Assert.Subset(aliceSees, new HashSet<string> { alicePersonal, forAll, forAlice });
        Assert.DoesNotContain(bobPersonal, aliceSees);
        Assert.DoesNotContain(notAlice, aliceSees);
        Assert.Subset(bobSees, new HashSet<string> { bobPersonal, forAll, notAlice });
        Assert.DoesNotContain(forAlice, bobSees);
        Assert.DoesNotContain(alicePersonal, bobSees);
        Assert.Subset(adminSees, new HashSet<string> { alicePersonal, bobPersonal, forAll, forAlice, notAlice });
    }

    [Fact]
    public async Task Get_HiddenOrMissingOrBadId_AnswersTheContractErrors()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var admin = await hub.LoginAdminAsync();
        var id = Id(await CreateAsync(alice, "hidden"));

        Assert.Equal(200, (await alice.GetAsync($"/api/routers/{id}")).Status);
        Assert.Equal(200, (await admin.GetAsync($"/api/routers/{id}")).Status);
        var (status, body) = await bob.GetAsync($"/api/routers/{id}");
        Assert.Equal(404, status);
        Assert.Equal("Router not found", body!["error"]!.GetValue<string>());
        Assert.Equal(404, (await alice.GetAsync("/api/routers/doesnotexist")).Status);
        (status, body) = await alice.GetAsync("/api/routers/bad!id");
        Assert.Equal(400, status);
        Assert.Equal("Invalid parameter: id", body!["error"]!.GetValue<string>());
        using var anonymous = await RawHttp.SendAsync(hub, HttpMethod.Get, $"/api/routers/{id}");
        Assert.Equal(401, (int)anonymous.StatusCode);
    }

    [Fact]
    public async Task Update_ByOwner_ChangesFieldsAndKeepsMaskedKeyEcho()
    {
        var alice = await hub.CreateUserAsync("alice");
        var router = await CreateAsync(alice, "to-update", apiKey: "sk-original-key-AB");
        var id = Id(router);

        var (status, body) = await alice.PutAsync($"/api/routers/{id}", new
        {
            name = "updated",
            description = "now described",
            llmModel = "gpt-next",
            maxChainDepth = 9,
            llmApiKey = "••••AB",
            visibility = "blacklist",
        });

        Assert.Equal(200, status);
        var updated = body!["data"]!;
        Assert.Equal("updated", updated["name"]!.GetValue<string>());
        Assert.Equal("now described", updated["description"]!.GetValue<string>());
        Assert.Equal("gpt-next", updated["llmModel"]!.GetValue<string>());
        Assert.Equal(9, updated["maxChainDepth"]!.GetValue<int>());
        Assert.Equal("••••AB", updated["llmApiKey"]!.GetValue<string>());
        Assert.Equal("all", updated["visibility"]!.GetValue<string>());

        (status, body) = await alice.PutAsync(
            $"/api/routers/{id}", new { description = (string?)null, llmApiKey = "sk-replacement-key-ZZ" });
        Assert.Equal(200, status);
        Assert.Null(body!["data"]!["description"]);
        Assert.Equal("••••ZZ", body["data"]!["llmApiKey"]!.GetValue<string>());
        Assert.Equal("updated", body["data"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_WhoMay_OwnerOrAdmin_OthersGet403Or404()
    {
        var admin = await hub.LoginAdminAsync();
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var global = Id(await CreateAsync(admin, $"g-{Guid.NewGuid():N}", scope: "global"));
        var personal = Id(await CreateAsync(alice, "alice-only"));

        var (status, body) = await bob.PutAsync($"/api/routers/{global}", new { name = "taken-over" });
        Assert.Equal(403, status);
        Assert.Equal("Only the router owner or admin can update", body!["error"]!.GetValue<string>());
        Assert.Equal(404, (await bob.PutAsync($"/api/routers/{personal}", new { name = "x" })).Status);
        Assert.Equal(200, (await admin.PutAsync($"/api/routers/{personal}", new { llmModel = "by-admin" })).Status);

        (status, body) = await admin.PutAsync(
            $"/api/routers/{global}", new { visibility = "whitelist", visibilityList = Array.Empty<string>() });
        Assert.Equal(400, status);
        Assert.Equal("validation.visibilityListRequired", body!["fields"]![0]!["message"]!.GetValue<string>());
        (status, body) = await admin.PutAsync(
            $"/api/routers/{global}", new { visibility = "whitelist", visibilityList = new[] { alice.UserId } });
        Assert.Equal(200, status);
        Assert.Equal(404, (await bob.GetAsync($"/api/routers/{global}")).Status);
    }

    [Fact]
    public async Task Update_InternalUrlOrDuplicateName_IsRefused()
    {
        var alice = await hub.CreateUserAsync("alice");
        await CreateAsync(alice, "first");
        var second = Id(await CreateAsync(alice, "second"));

        var (status, body) = await alice.PutAsync($"/api/routers/{second}", new { llmBaseUrl = "http://10.0.0.1/v1" });
        Assert.Equal(400, status);
        Assert.Equal("LLM base URL must not point to internal or private networks", body!["error"]!.GetValue<string>());

        (status, body) = await alice.PutAsync($"/api/routers/{second}", new { name = "first" });
        Assert.Equal(409, status);
        Assert.Equal("A router with this name already exists", body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_ByOwner_DetachesRooms_OthersGet403Or404()
    {
        var admin = await hub.LoginAdminAsync();
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var global = Id(await CreateAsync(admin, $"g-{Guid.NewGuid():N}", scope: "global"));
        var personal = Id(await CreateAsync(alice, "doomed"));
        var (roomStatus, room) = await alice.PostAsync("/api/rooms", new { name = "routed", type = "group", routerId = personal });
        Assert.Equal(201, roomStatus);

        var (status, body) = await bob.DeleteAsync($"/api/routers/{global}");
        Assert.Equal(403, status);
        Assert.Equal("Only the router owner or admin can delete", body!["error"]!.GetValue<string>());
        Assert.Equal(404, (await bob.DeleteAsync($"/api/routers/{personal}")).Status);

        (status, body) = await alice.DeleteAsync($"/api/routers/{personal}");
        Assert.Equal(200, status);
        Assert.Equal("""{"ok":true}""", body!.ToJsonString());
        Assert.Equal(404, (await alice.GetAsync($"/api/routers/{personal}")).Status);
        var (_, roomBody) = await alice.GetAsync($"/api/rooms/{room!["data"]!["id"]!.GetValue<string>()}");
        Assert.Null(roomBody!["data"]!["routerId"]);
        Assert.Equal(200, (await admin.DeleteAsync($"/api/routers/{global}")).Status);
    }

    [Fact]
    public async Task Test_RouterPointingAtLoopback_IsRefusedWithoutAnyConnection()
    {
        var alice = await hub.CreateUserAsync("alice");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var box = new SecretBox(RoutersHubFixture.EncryptionKey);
        var id = await InsertRouterAsync(alice.UserId, $"http://127.0.0.1:{port}/v1", box.Encrypt("sk-loopback-key"));

        var (status, body) = await alice.PostAsync($"/api/routers/{id}/test", null);

        Assert.Equal(400, status);
        Assert.Equal("LLM base URL must not point to internal or private networks", body!["error"]!.GetValue<string>());
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task Test_WhoMay_AndUndecryptableKey()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var id = await InsertRouterAsync(alice.UserId, PublicUrl, "enc:000000000000000000000000:00:00000000000000000000000000000000");

        var (status, body) = await bob.PostAsync($"/api/routers/{id}/test", null);
        Assert.Equal(404, status);
        Assert.Equal("Router not found", body!["error"]!.GetValue<string>());
        Assert.Equal(400, (await alice.PostAsync("/api/routers/bad.id/test", null)).Status);

        (status, body) = await alice.PostAsync($"/api/routers/{id}/test", null);
        Assert.Equal(500, status);
        Assert.Equal("Router configuration error", body!["error"]!.GetValue<string>());
    }

    private static object Body(
        string name, string scope = "personal", string apiKey = "sk-0123456789-key", string visibility = "all", string[]? list = null) =>
        new { name, scope, llmBaseUrl = PublicUrl, llmApiKey = apiKey, llmModel = "gpt-test", visibility, visibilityList = list ?? [] };

    private static async Task<JsonObject> CreateAsync(
        Session session, string name, string scope = "personal", string apiKey = "sk-0123456789-key",
        string visibility = "all", string[]? list = null)
    {
        var (status, body) = await session.PostAsync("/api/routers", Body(name, scope, apiKey, visibility, list));
        Assert.True(status == 201, $"create router: {status} {body}");
        return body!["data"]!.AsObject();
    }

    private static string Id(JsonObject router) => router["id"]!.GetValue<string>();

    private static async Task<HashSet<string>> ListIdsAsync(Session session)
    {
        var (status, body) = await session.GetAsync("/api/routers");
        Assert.Equal(200, status);
        return body!["data"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToHashSet();
    }

    /// <summary>A row the API would refuse to write, as a hand-edited table might hold it.</summary>
    private async Task<string> InsertRouterAsync(string creatorId, string baseUrl, string storedKey)
    {
        var id = AgentIM.Infrastructure.Ids.New();
        var database = hub.Services.GetRequiredService<HubDatabase>();
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO routers (id, name, created_by_id, llm_base_url, llm_api_key, llm_model, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, 'm', now(), now())
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = "raw-" + id });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = creatorId });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = baseUrl });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = storedKey });
        await command.ExecuteNonQueryAsync();
        return id;
    }

    private async Task<string?> ScalarAsync(string sql, string parameter)
    {
        var database = hub.Services.GetRequiredService<HubDatabase>();
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = parameter });
        return (string?)await command.ExecuteScalarAsync();
    }
}
