using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentIM.Infrastructure.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentIM.Tests.Support;

/// <summary>
/// A real hub on a loopback port the OS picks, with a database of its own, started once per test class.
/// Tests talk to it only over HTTP and WebSockets, as the real clients do.
/// </summary>
public class HubFixture : IAsyncLifetime
{
    public const string AdminUsername = "admin";
    public const string AdminPassword = "Admin-Test-Pass-1!";
    public const string UserPassword = "Alice-Test-Pass-1!";

    private WebApplication? _app;

    public string DatabaseUrl { get; protected set; } = "";
    public Uri BaseAddress { get; protected set; } = null!;
    public HubConfig Config { get; private set; } = null!;
    public HttpClient Http { get; protected set; } = null!;
    public IServiceProvider Services => _app!.Services;

    /// <summary>Settings a test class wants changed (timings shortened, limits raised).</summary>
    protected virtual IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>();

    public virtual async Task InitializeAsync()
    {
        DatabaseUrl = await CreateDatabaseAsync();
        await OnDatabaseCreatedAsync(DatabaseUrl);
        var env = new Dictionary<string, string>
        {
            ["AGENTIM_ENV"] = "development",
            ["HOST"] = "127.0.0.1",
            ["PORT"] = "1",
            ["DATABASE_URL"] = DatabaseUrl,
            ["JWT_SECRET"] = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray()),
            ["ADMIN_USERNAME"] = AdminUsername,
            ["ADMIN_PASSWORD"] = AdminPassword,
            ["UPLOAD_DIR"] = Directory.CreateTempSubdirectory("agentim-uploads-").FullName,
            ["LOG_LEVEL"] = "warn",
        };
        foreach (var (key, value) in Overrides)
        {
            env[key] = value;
        }

        // Port 0 asks the OS for a free port; the config parser insists on 1–65535, so set it afterwards.
        Config = HubConfig.FromEnvironment(env) with { Port = 0 };
        _app = HubServer.Build(Config, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await HubServer.PrepareAsync(_app, CancellationToken.None);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        // No cookie jar: one client serves every test user, and a refresh cookie left by one login must never ride
        // along on another user's request. Tests that exercise the cookie send it themselves.
        Http = new HttpClient(new SocketsHttpHandler { UseCookies = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>The database this hub uses; a second hub node passes the first one's (and then does not drop it).</summary>
    protected virtual Task<string> CreateDatabaseAsync() => TestEnvironment.CreateDatabaseAsync("agentim_test");

    protected virtual bool OwnsDatabase => true;

    /// <summary>Runs after the empty database exists and before the hub first connects to it (e.g. to change its settings).</summary>
    protected virtual Task OnDatabaseCreatedAsync(string databaseUrl) => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            AgentIM.Tests.Http.ContractCoverage.Record(_app.Services);
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (OwnsDatabase)
        {
            await TestEnvironment.DropDatabaseAsync(DatabaseUrl);
        }
    }

    public Task<Session> LoginAdminAsync() => LoginAsync(AdminUsername, AdminPassword);

    public async Task<Session> LoginAsync(string username, string password)
    {
        using var response = await Http.PostAsJsonAsync("/api/auth/login", new { username, password });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.IsSuccessStatusCode, $"login {username}: {(int)response.StatusCode} {body}");
        var data = body!["data"]!;
        return new Session(this, data["user"]!["id"]!.GetValue<string>(), username,
            data["accessToken"]!.GetValue<string>(), data["refreshToken"]!.GetValue<string>());
    }

    /// <summary>Creates a user through the admin API (unique name per call) and logs them in.</summary>
    public async Task<Session> CreateUserAsync(string prefix = "user")
    {
        var admin = await LoginAdminAsync();
        var username = $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 10, 40)];
        var (status, body) = await admin.PostAsync("/api/users", new { username, password = UserPassword });
        Assert.True(status == 200, $"create user: {status} {body}");
        return await LoginAsync(username, UserPassword);
    }
}

/// <summary>A logged-in user: their tokens and an HTTP helper that sends the bearer token.</summary>
public sealed record Session(HubFixture Hub, string UserId, string Username, string AccessToken, string RefreshToken)
{
    public Task<(int Status, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<(int Status, JsonNode? Body)> PostAsync(string path, object? body) => SendAsync(HttpMethod.Post, path, body);

    public Task<(int Status, JsonNode? Body)> PutAsync(string path, object? body) => SendAsync(HttpMethod.Put, path, body);

    public Task<(int Status, JsonNode? Body)> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AccessToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await Hub.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? parsed = null;
        try
        {
            parsed = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            parsed = JsonValue.Create(text);
        }

        return ((int)response.StatusCode, parsed);
    }

    /// <summary>Creates a room and returns its id.</summary>
    public async Task<string> CreateRoomAsync(string name = "t-room", params string[] memberIds)
    {
        var (status, body) = await PostAsync("/api/rooms", new { name, type = "group", broadcastMode = false, memberIds });
        Assert.True(status == 201, $"create room: {status} {body}");
        return body!["data"]!["id"]!.GetValue<string>();
    }

    public async Task AddMemberAsync(string roomId, string memberId, string memberType)
    {
        var (status, body) = await PostAsync($"/api/rooms/{roomId}/members", new { memberId, memberType });
        Assert.True(status == 201, $"add member: {status} {body}");
    }
}
