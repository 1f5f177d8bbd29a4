using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using AgentIM.Infrastructure.Config;
using AgentIM.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// A hub on a PostgreSQL cluster of its own: initdb into a temporary folder as the postgres user, a free loopback
/// port, started with pg_ctl, so the test may stop and start it without touching the servers other tests use.
/// </summary>
public sealed class PrivatePostgresHubFixture : HubFixture
{
    private readonly string _bin = Environment.GetEnvironmentVariable("AGENTIM_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
    private DirectoryInfo? _root;
    private WebApplication? _hub;
    private string _serverOptions = "";

    public string DataDirectory => Path.Combine(_root!.FullName, "data");

    public override async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("agentim-b23-");
        await RunAsync("chown", "postgres", _root.FullName);
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(_bin, "initdb"), "-D", DataDirectory, "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--no-sync");
        var port = FreePort();
        _serverOptions = $"-p {port} -c listen_addresses=127.0.0.1 -k {_root.FullName}";
        await StartPostgresAsync();
        await using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE DATABASE b23_drill", connection);
            await command.ExecuteNonQueryAsync();
        }

        DatabaseUrl = $"postgresql://postgres@127.0.0.1:{port}/b23_drill";
        var env = new Dictionary<string, string>
        {
            ["AGENTIM_ENV"] = "development",
            ["HOST"] = "127.0.0.1",
            ["PORT"] = "1",
            ["DATABASE_URL"] = DatabaseUrl,
            ["JWT_SECRET"] = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray()),
            ["ADMIN_USERNAME"] = AdminUsername,
            ["ADMIN_PASSWORD"] = AdminPassword,
            ["UPLOAD_DIR"] = Path.Combine(_root.FullName, "uploads"),
            ["LOG_LEVEL"] = "warn",
            ["CLIENT_RATE_LIMIT_MAX"] = "1000",
        };
        var config = HubConfig.FromEnvironment(env) with { Port = 0 };
        _hub = HubServer.Build(config, logging => logging.SetMinimumLevel(LogLevel.Critical));
        await HubServer.PrepareAsync(_hub, CancellationToken.None);
        await _hub.StartAsync();
        BaseAddress = new Uri(_hub.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Http = new HttpClient(new SocketsHttpHandler { UseCookies = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Stops the cluster as an operator's fast restart does (<c>pg_ctl stop -m fast</c>).</summary>
    public Task StopPostgresAsync() =>
        RunAsync("runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", "fast", "-w", "stop");

    public Task StartPostgresAsync() =>
        RunAsync("runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-l",
            Path.Combine(_root!.FullName, "server.log"), "-w", "-o", _serverOptions, "start");

    public override async Task DisposeAsync()
    {
        // Never the base class's cleanup: it drops databases on the shared cluster.
        Http?.Dispose();
        if (_hub is not null)
        {
            await _hub.StopAsync();
            await _hub.DisposeAsync();
        }

        if (_root is not null)
        {
            try
            {
                await RunAsync(
                    "runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop");
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }

            _root.Delete(recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await output} {await error}");
        }
    }
}

/// <summary>
/// Case B23: PostgreSQL goes down and comes back under load. While it is down, WebSocket sends get a retriable
/// <c>server:error SERVICE_UNAVAILABLE</c> at once and sockets stay open, REST answers a JSON 503, a token refresh
/// answers 503 (never 401, so gateways keep their credentials). Ten seconds after it is back nothing fails (no stale
/// pooled connection), health is ok, and every message a client saw acknowledged is in history.
/// </summary>
public sealed class PostgresRestartB23Tests(PrivatePostgresHubFixture hub) : IClassFixture<PrivatePostgresHubFixture>
{
    private const int Senders = 5;
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task B23_PostgresRestartUnderLoad_RetriableErrorsThenNoFailuresAndNothingAcknowledgedLost()
    {
        var owner = await TestUsers.CreateAsync(hub, "owner");
        var users = new List<Session>();
        for (var i = 0; i < Senders; i++)
        {
            users.Add(await TestUsers.CreateAsync(hub, "sender"));
        }

        var room = await owner.CreateRoomAsync("R1", users.Select(u => u.UserId).ToArray());
        var sockets = new List<WsPeer>();
        foreach (var user in users)
        {
            sockets.Add(await WsPeer.ClientAsync(user, room));
        }

        var acknowledged = new ConcurrentBag<string>();
        var outcomes = new ConcurrentQueue<(DateTime At, string What)>();
        using var stop = new CancellationTokenSource();
        var load = sockets.Select(s => SendLoopAsync(s, room, acknowledged, outcomes, stop.Token))
            .Append(ReadLoopAsync(owner, room, outcomes, stop.Token))
            .Append(ReadLoopAsync(users[0], room, outcomes, stop.Token))
            .ToList();
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Down.
        var down = DateTime.UtcNow;
        await hub.StopPostgresAsync();
        var refresh = await RawRefreshAsync(users[1].RefreshToken);
        var clock = Stopwatch.StartNew();
        var (historyStatus, historyBody) = await owner.GetAsync($"/api/messages/rooms/{room}?limit=5");
        var historyTook = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(3));

        // Up again, and ten seconds' grace.
        await hub.StartPostgresAsync();
        var up = DateTime.UtcNow;
        await Eventually.AssertAsync(
            async () => (await hub.Http.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK,
            "health ok again",
            TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(10));
        var settled = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(refresh.Status >= 500, $"refresh while down: {refresh.Status} {refresh.Body}");
        Assert.Equal(503, historyStatus);
        Assert.False(historyBody!["ok"]!.GetValue<bool>());
        Assert.True(historyTook < TimeSpan.FromSeconds(10), $"history while down took {historyTook}");
        Assert.Contains(outcomes, o => o.What == "ws:SERVICE_UNAVAILABLE");
        Assert.All(sockets, s => Assert.Equal(WebSocketState.Open, s.State));
        var failures = outcomes.Where(o => o.What != "ok").ToList();
        Assert.All(failures, f => Assert.True(f.What is "ws:SERVICE_UNAVAILABLE" or "http:503", $"{f.At:O} {f.What}"));
        Assert.DoesNotContain(failures, f => f.At >= settled);
        Assert.Contains(outcomes, o => o.What == "ok" && o.At >= settled);
        Assert.All(
            failures, f => Assert.True(f.At >= down && f.At <= up.AddSeconds(10), $"{f.What} at {f.At:O}, down {down:O}, up {up:O}"));

        var stored = new HashSet<string>();
        foreach (var page in await History.WalkBackAsync(owner, room, 100))
        {
            stored.UnionWith(page.Items.Select(i => i["content"]!.GetValue<string>()));
        }

        Assert.NotEmpty(acknowledged);
        Assert.All(acknowledged, a => Assert.Contains(a, stored));
        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }
    }

    /// <summary>
    /// Sends a message every 200 ms, then a ping: frames are handled in order, so once the pong is back the message's
    /// echo (its acknowledgement) or its error is already there.
    /// </summary>
    private static async Task SendLoopAsync(
        WsPeer socket, string room, ConcurrentBag<string> acknowledged, ConcurrentQueue<(DateTime, string)> outcomes,
        CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var content = $"load-{Guid.NewGuid():N}";
            var errorsBefore = socket.All("server:error").Count();
            await socket.SendMessageAsync(room, content);
            await socket.PingAsync();
            if (socket.All("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == content).Any())
            {
                acknowledged.Add(content);
                outcomes.Enqueue((DateTime.UtcNow, "ok"));
            }
            else
            {
                var error = socket.All("server:error").Skip(errorsBefore).FirstOrDefault();
                outcomes.Enqueue((DateTime.UtcNow, "ws:" + (error?["code"]!.GetValue<string>() ?? "no answer")));
            }

            await Task.Delay(Pace, CancellationToken.None);
        }
    }

    private static async Task ReadLoopAsync(
        Session reader, string room, ConcurrentQueue<(DateTime, string)> outcomes, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var (status, _) = await reader.GetAsync($"/api/messages/rooms/{room}?limit=20");
            outcomes.Enqueue((DateTime.UtcNow, status == 200 ? "ok" : $"http:{status}"));
            await Task.Delay(Pace, CancellationToken.None);
        }
    }

    private async Task<(int Status, string Body)> RawRefreshAsync(string refreshToken)
    {
        using var response = await hub.Http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken });
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
