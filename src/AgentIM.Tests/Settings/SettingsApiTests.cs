using System.Text.Json.Nodes;
using AgentIM.Infrastructure.Crypto;
using AgentIM.Infrastructure.Db;
using AgentIM.Tests.Http;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Settings;

public sealed class SettingsHubFixture : HubFixture
{
    public const string EncryptionKey = "settings-test-encryption-key-0123456789";

    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["ENCRYPTION_KEY"] = EncryptionKey,
        ["CORS_ORIGIN"] = "https://env.example",
        ["MAX_WS_CONNECTIONS_PER_USER"] = "7",
    };
}

public sealed class SettingsApiTests(SettingsHubFixture hub) : IClassFixture<SettingsHubFixture>
{
    private static readonly string[] ContractKeys =
    [
        "cors.origin", "log.level", "metrics.authEnabled", "jwt.accessExpiry", "jwt.refreshExpiry", "trust.proxy",
        "oauth.github.clientId", "oauth.github.clientSecret", "oauth.google.clientId", "oauth.google.clientSecret", "totp.issuer",
        "upload.maxFileSize", "storage.provider", "storage.s3.bucket", "storage.s3.region", "storage.s3.endpoint",
        "storage.s3.accessKeyId", "storage.s3.secretAccessKey", "rateLimit.client.window", "rateLimit.client.max",
        "rateLimit.agent.window", "rateLimit.agent.max", "ws.maxConnectionsPerUser", "ws.maxTotalConnections",
        "ws.maxGatewaysPerUser", "ws.maxMessageSize", "ws.gatewayMessageSize", "router.llm.baseUrl", "router.llm.apiKey",
        "router.llm.model", "router.llm.timeout", "router.maxChainDepth", "push.vapidPublicKey", "push.vapidPrivateKey",
        "push.vapidSubject", "cleanup.orphanFileInterval", "cleanup.tokenInterval", "cleanup.auditRetentionDays",
        "cleanup.auditInterval", "cleanup.gatewayInterval", "cleanup.gatewayMaxOfflineDays", "sentry.dsn",
    ];

    [Fact]
    public async Task Get_AsAdmin_ListsEveryKeyByGroupWithTypesAndSources()
    {
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await admin.GetAsync("/api/admin/settings");

        Assert.Equal(200, status);
        var groups = body!["data"]!.AsObject();
        Assert.Equal(
            ["general", "security", "storage", "rateLimit", "connections", "aiRouter", "pushNotifications", "maintenance"],
            groups.Select(g => g.Key));
        var items = groups.SelectMany(g => g.Value!.AsArray().Select(i => i!.AsObject())).ToDictionary(i => i["key"]!.GetValue<string>());
        Assert.Equal(42, ContractKeys.Length);
        Assert.All(ContractKeys, k => Assert.Contains(k, items.Keys));
        Assert.All(items.Keys.Except(ContractKeys), k => Assert.StartsWith("rateLimit.http.", k));

        var level = items["log.level"];
        Assert.Equal("enum", level["type"]!.GetValue<string>());
        Assert.Equal(["debug", "info", "warn", "error", "fatal"], level["enumValues"]!.AsArray().Select(v => v!.GetValue<string>()));
        var size = items["upload.maxFileSize"];
        Assert.Equal("number", size["type"]!.GetValue<string>());
        Assert.Equal(1024, size["min"]!.GetValue<long>());
        Assert.Equal(104_857_600, size["max"]!.GetValue<long>());
        Assert.False(items["totp.issuer"].ContainsKey("min"));
        Assert.Equal("boolean", items["trust.proxy"]["type"]!.GetValue<string>());
        Assert.True(items["router.llm.apiKey"]["sensitive"]!.GetValue<bool>());
        Assert.Equal("settings.totp.issuer.label", items["totp.issuer"]["labelKey"]!.GetValue<string>());
        Assert.Equal("settings.totp.issuer.desc", items["totp.issuer"]["descKey"]!.GetValue<string>());

        Assert.Equal(("https://env.example", "env"), ValueAndSource(items["cors.origin"]));
        Assert.Equal(("7", "env"), ValueAndSource(items["ws.maxConnectionsPerUser"]));
        Assert.Equal(("AgentIM", "default"), ValueAndSource(items["totp.issuer"]));
    }

    [Fact]
    public async Task Routes_WithoutAdmin_AreRefused()
    {
        var user = await hub.CreateUserAsync();

        Assert.Equal(403, (await user.GetAsync("/api/admin/settings")).Status);
        var (status, body) = await user.PutAsync(
            "/api/admin/settings", new { changes = new Dictionary<string, string> { ["totp.issuer"] = "X" } });
        Assert.Equal(403, status);
        Assert.Equal("Admin access required", body!["error"]!.GetValue<string>());
        using var anonymous = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/admin/settings");
        Assert.Equal(401, (int)anonymous.StatusCode);
    }

    [Fact]
    public async Task Put_ValidValues_RoundTripAndReportDbSource()
    {
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await admin.PutAsync("/api/admin/settings", new
        {
            changes = new Dictionary<string, object>
            {
                ["totp.issuer"] = "Round Trip", ["router.maxChainDepth"] = 9, ["trust.proxy"] = true,
            },
        });

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        Assert.Equal(
            ["totp.issuer", "router.maxChainDepth", "trust.proxy"], body["data"]!["updated"]!.AsArray().Select(v => v!.GetValue<string>()));
        var items = await ItemsAsync(admin);
        Assert.Equal(("Round Trip", "db"), ValueAndSource(items["totp.issuer"]));
        Assert.Equal(("9", "db"), ValueAndSource(items["router.maxChainDepth"]));
        Assert.Equal(("true", "db"), ValueAndSource(items["trust.proxy"]));

        (status, _) = await admin.PutAsync(
            "/api/admin/settings", new { changes = new Dictionary<string, object?> { ["totp.issuer"] = null } });
        Assert.Equal(200, status);
        Assert.Equal(("AgentIM", "default"), ValueAndSource((await ItemsAsync(admin))["totp.issuer"]));
    }

    [Fact]
    public async Task Put_SensitiveValue_IsEncryptedAtRestAndMaskedOnRead()
    {
        var admin = await hub.LoginAdminAsync();

        var (status, _) = await admin.PutAsync("/api/admin/settings", new
        {
            changes = new Dictionary<string, string> { ["router.llm.apiKey"] = "sk-very-secret-router-key" },
        });

        Assert.Equal(200, status);
        var shown = (await ItemsAsync(admin))["router.llm.apiKey"]["value"]!.GetValue<string>();
        Assert.Equal("sk-v••••••••", shown);
        var stored = await StoredValueAsync("router.llm.apiKey");
        Assert.StartsWith("enc:", stored);
        Assert.True(new SecretBox(SettingsHubFixture.EncryptionKey).TryDecrypt(stored, out var plain));
        Assert.Equal("sk-very-secret-router-key", plain);
        var settings = hub.Services.GetRequiredService<AgentIM.Settings.RuntimeSettings>();
        Assert.Equal("sk-very-secret-router-key", (await settings.GetAsync(default)).SystemRouterApiKey);

        // The UI echoing the mask back changes nothing.
        (status, var body) = await admin.PutAsync(
            "/api/admin/settings", new { changes = new Dictionary<string, string> { ["router.llm.apiKey"] = shown } });
        Assert.Equal(200, status);
        Assert.Empty(body!["data"]!["updated"]!.AsArray());
        Assert.Equal(stored, await StoredValueAsync("router.llm.apiKey"));
    }

    [Fact]
    public async Task Put_SomeInvalidKeys_AppliesTheRestAndAnswers400WithEveryMessage()
    {
        var admin = await hub.LoginAdminAsync();
        var changes = new Dictionary<string, object>
        {
            ["no.such.key"] = "x",
            ["rateLimit.client.max"] = "many",
            ["ws.maxTotalConnections"] = 5,
            ["router.llm.timeout"] = 999_999,
            ["metrics.authEnabled"] = "yes",
            ["storage.provider"] = "ftp",
            ["cors.origin"] = "*",
            ["push.vapidSubject"] = "mailto:ops@example.com",
        };

        var (status, body) = await admin.PutAsync("/api/admin/settings", new { changes });

        Assert.Equal(400, status);
        Assert.False(body!["ok"]!.GetValue<bool>());
        Assert.Equal(
            "Unknown setting: no.such.key; rateLimit.client.max: must be a number; ws.maxTotalConnections: minimum is 10; "
            + "router.llm.timeout: maximum is 120000; metrics.authEnabled: must be \"true\" or \"false\"; "
            + "storage.provider: must be one of local, s3; cors.origin: wildcard \"*\" is not allowed",
            body["error"]!.GetValue<string>());
        Assert.Equal(["push.vapidSubject"], body["data"]!["updated"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("mailto:ops@example.com", (await ItemsAsync(admin))["push.vapidSubject"]["value"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("https://a.example/path", "cors.origin: invalid origin \"https://a.example/path\"")]
    [InlineData("ftp://a.example", "cors.origin: invalid origin \"ftp://a.example\"")]
    [InlineData("https://*.example", "cors.origin: wildcard \"*\" is not allowed")]
    public async Task Put_BadCorsOrigin_NamesTheOrigin(string value, string message)
    {
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await admin.PutAsync(
            "/api/admin/settings", new { changes = new Dictionary<string, string> { ["cors.origin"] = value } });

        Assert.Equal(400, status);
        Assert.Equal(message, body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_WithoutChangesObject_Answers400()
    {
        var admin = await hub.LoginAdminAsync();

        foreach (var payload in new object[] { new { }, new { changes = "x" }, new { changes = new[] { 1 } } })
        {
            var (status, body) = await admin.PutAsync("/api/admin/settings", payload);
            Assert.Equal(400, status);
            Assert.Equal("Missing \"changes\" object", body!["error"]!.GetValue<string>());
        }

        using var broken = await RawHttp.SendAsync(hub, HttpMethod.Put, "/api/admin/settings", "{nope", admin.AccessToken);
        Assert.Equal(400, (int)broken.StatusCode);
        Assert.Contains("Invalid JSON body", await broken.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CorsOrigin_ChangedThroughTheApi_AppliesToTheNextRequest()
    {
        var admin = await hub.LoginAdminAsync();
        using (var before = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health", null, null, ("Origin", "https://live.example")))
        {
            Assert.Equal("https://env.example", RawHttp.Header(before, "Access-Control-Allow-Origin"));
        }

        var (status, _) = await admin.PutAsync("/api/admin/settings", new
        {
            changes = new Dictionary<string, string> { ["cors.origin"] = "https://first.example, https://live.example" },
        });
        Assert.Equal(200, status);

        using var after = await RawHttp.SendAsync(hub, HttpMethod.Get, "/api/health", null, null, ("Origin", "https://live.example"));
        Assert.Equal("https://live.example", RawHttp.Header(after, "Access-Control-Allow-Origin"));
        Assert.Equal("true", RawHttp.Header(after, "Access-Control-Allow-Credentials"));
        await admin.PutAsync("/api/admin/settings", new { changes = new Dictionary<string, object?> { ["cors.origin"] = null } });
    }

    [Fact]
    public async Task SettingsTable_EditedByAnotherNode_IsSeenAfterTheCacheExpires()
    {
        var settings = hub.Services.GetRequiredService<AgentIM.Settings.RuntimeSettings>();
        Assert.NotEqual(77, (await settings.GetAsync(default)).GatewayMaxOfflineDays);

        await ExecuteAsync("""
            INSERT INTO settings (key, value, updated_at) VALUES ('cleanup.gatewayMaxOfflineDays', '77', now())
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
            """);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await settings.GetAsync(default)).GatewayMaxOfflineDays != 77)
        {
            Assert.True(DateTime.UtcNow < deadline, "the cached settings never picked up the table change");
            await Task.Delay(200);
        }
    }

    private static (string, string) ValueAndSource(JsonObject item) =>
        (item["value"]!.GetValue<string>(), item["source"]!.GetValue<string>());

    private static async Task<Dictionary<string, JsonObject>> ItemsAsync(Session admin)
    {
        var (status, body) = await admin.GetAsync("/api/admin/settings");
        Assert.Equal(200, status);
        return body!["data"]!.AsObject().SelectMany(g => g.Value!.AsArray().Select(i => i!.AsObject()))
            .ToDictionary(i => i["key"]!.GetValue<string>());
    }

    private async Task<string> StoredValueAsync(string key)
    {
        var database = hub.Services.GetRequiredService<HubDatabase>();
        await using var command = database.DataSource.CreateCommand("SELECT value FROM settings WHERE key = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = key });
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        var database = hub.Services.GetRequiredService<HubDatabase>();
        await using var command = database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
