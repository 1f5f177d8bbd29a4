using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AgentIM.Tests.Smoke;
using AgentIM.Tests.Support;
using AgentIM.Tests.Uploads;

namespace AgentIM.Tests.Cli;

/// <summary>`agentim user …` run as the published binary against the hub's database, checked through the hub's HTTP API.</summary>
public sealed class UserCommandsTests(PublishedHub hub) : IClassFixture<PublishedHub>
{
    private const string Password = "Cli-Test-Pass-1";
    private const string OtherPassword = "Cli-Other-Pass-2";

    [Fact]
    public async Task Add_WithPasswordOnStdin_UserCanLogIn_AndSameNameInOtherCaseIsRefused()
    {
        var name = Unique.Id("cliadd");
        var added = await RunAsync(Password + "\n", "user", "add", name, "--password-stdin", "--display-name", "Cli Person");
        Assert.True(added.ExitCode == 0, added.ToString());

        var session = await hub.LoginAsync(name.ToUpperInvariant(), Password);
        Assert.Equal(name, session.Username.ToLowerInvariant());
        Assert.Equal("Cli Person", await ScalarAsync<string>("SELECT display_name FROM users WHERE username = $1", name));

        var again = await RunAsync(Password + "\n", "user", "add", name.ToUpperInvariant(), "--password-stdin");
        Assert.Equal(6, again.ExitCode);
        Assert.Contains("taken", again.Stderr);
        Assert.Single(again.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("ab", Password)]
    [InlineData("bad name", Password)]
    [InlineData("okname", "alllowercase1")]
    [InlineData("okname", "Short1")]
    public async Task Add_BreakingTheUsernameOrPasswordRule_ExitsWithUsageAndCreatesNothing(string name, string password)
    {
        var run = await RunAsync(password + "\n", "user", "add", name, "--password-stdin");
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM users WHERE username = $1", name));
    }

    [Fact]
    public async Task Add_WithoutTerminalOrPasswordStdin_RefusesInsteadOfReadingAPassword()
    {
        var run = await RunAsync(Password + "\n", "user", "add", Unique.Id("clinotty"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--password-stdin", run.Stderr);
    }

    [Fact]
    public async Task List_Json_ShowsRoleAndState()
    {
        var name = await AddAsync("clilist");
        Assert.Equal(0, (await RunAsync(null, "user", "disable", name)).ExitCode);

        var run = await RunAsync(null, "user", "list", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var users = JsonNode.Parse(run.Stdout)!.AsArray();
        var admin = users.Single(u => u!["username"]!.GetValue<string>() == HubFixture.AdminUsername)!;
        Assert.Equal("admin", admin["role"]!.GetValue<string>());
        Assert.Equal("active", admin["state"]!.GetValue<string>());
        var listed = users.Single(u => u!["username"]!.GetValue<string>() == name)!;
        Assert.Equal("user", listed["role"]!.GetValue<string>());
        Assert.Equal("disabled", listed["state"]!.GetValue<string>());
        Assert.EndsWith("Z", listed["disabledAt"]!.GetValue<string>());

        var table = await RunAsync(null, "user", "list");
        Assert.Contains(
            table.Stdout.Split('\n'), line => line.StartsWith(name + " ", StringComparison.Ordinal) && line.Contains("disabled"));
    }

    [Fact]
    public async Task Disable_RefusesLogin_RevokesSessions_AndEnableRestoresLogin()
    {
        var name = await AddAsync("clidis");
        var session = await hub.LoginAsync(name, Password);

        var run = await RunAsync(null, "user", "disable", name);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(401, await LoginStatusAsync(name, Password));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE user_id = $1", session.UserId));
        Assert.NotNull(await ScalarAsync<DateTime?>("SELECT sessions_revoked_at FROM users WHERE id = $1", session.UserId));
        Assert.Equal(401, await RefreshStatusAsync(session.RefreshToken));

        Assert.Equal(0, (await RunAsync(null, "user", "enable", name)).ExitCode);
        Assert.Equal(200, await LoginStatusAsync(name, Password));
    }

    [Fact]
    public async Task Passwd_ReplacesThePassword_AndEndsSessions()
    {
        var name = await AddAsync("clipw");
        var session = await hub.LoginAsync(name, Password);

        var run = await RunAsync(OtherPassword + "\n", "user", "passwd", name, "--password-stdin");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(401, await LoginStatusAsync(name, Password));
        Assert.Equal(200, await LoginStatusAsync(name, OtherPassword));
        Assert.NotNull(await ScalarAsync<DateTime?>("SELECT sessions_revoked_at FROM users WHERE id = $1", session.UserId));
        Assert.Equal(401, await RefreshStatusAsync(session.RefreshToken));
    }

    [Fact]
    public async Task Role_MakesAnAdmin_AndTheLastActiveAdminCannotBeDemotedDisabledOrDeleted()
    {
        var name = await AddAsync("clirole");
        Assert.Equal(0, (await RunAsync(null, "user", "role", name, "admin")).ExitCode);
        Assert.Equal("admin", await ScalarAsync<string>("SELECT role FROM users WHERE username = $1", name));
        Assert.Equal(0, (await RunAsync(null, "user", "role", name, "user")).ExitCode);
        Assert.Equal("user", await ScalarAsync<string>("SELECT role FROM users WHERE username = $1", name));
        Assert.NotEqual(0, (await RunAsync(null, "user", "role", name, "root")).ExitCode);

        // The fixture's admin is the only active admin of this database.
        string[][] commands =
            [["role", HubFixture.AdminUsername, "user"], ["disable", HubFixture.AdminUsername], ["delete", HubFixture.AdminUsername]];
        foreach (var command in commands)
        {
            var run = await RunAsync(null, ["user", .. command]);
            Assert.True(run.ExitCode == 6, run.ToString());
            Assert.Contains("last active admin", run.Stderr);
        }

        Assert.Equal(200, await LoginStatusAsync(HubFixture.AdminUsername, HubFixture.AdminPassword));
    }

    [Fact]
    public async Task Unlock_EndsALockFromWrongPasswords()
    {
        var name = await AddAsync("cliunlock");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(401, await LoginStatusAsync(name, "Wrong-Pass-99"));
        }

        Assert.NotEqual(200, await LoginStatusAsync(name, Password));
        Assert.Equal(0, (await RunAsync(null, "user", "unlock", name)).ExitCode);
        Assert.Equal(200, await LoginStatusAsync(name, Password));
    }

    [Fact]
    public async Task Delete_RemovesTheUserAndTokens_AndAnUnknownNameExitsNotFound()
    {
        var name = await AddAsync("clidel");
        var session = await hub.LoginAsync(name, Password);

        var run = await RunAsync(null, "user", "delete", name);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM users WHERE id = $1", session.UserId));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE user_id = $1", session.UserId));
        Assert.Equal(401, await LoginStatusAsync(name, Password));

        var missing = await RunAsync(null, "user", "delete", name);
        Assert.Equal(5, missing.ExitCode);
        Assert.Contains(name, missing.Stderr);
        Assert.Equal(5, (await RunAsync(null, "user", "enable", name)).ExitCode);
    }

    [Fact]
    public async Task Delete_RemovesTheUsersFiles_AsTheRestDeleteDoes()
    {
        var name = await AddAsync("clifiles");
        var session = await hub.LoginAsync(name, Password);
        var avatar = await session.UploadAsync(UploadClient.Png, "me.png", "image/png", "/api/upload/avatar");
        var loose = await session.UploadAsync(UploadClient.Text("notes"), "n.txt", "text/plain");
        Assert.Equal((200, 200), (avatar.Status, loose.Status));
        string[] Mine() => Directory.EnumerateFiles(hub.UploadDir)
            .Select(Path.GetFileName)
            .Where(f => f!.StartsWith($"avatar_{session.UserId}_", StringComparison.Ordinal)
                || f == loose.Data!["url"]!.GetValue<string>()["/uploads/".Length..])
            .ToArray()!;
        Assert.Equal(2, Mine().Length);

        var run = await RunAsync(null, "user", "delete", name);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(Mine());
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM message_attachments WHERE uploaded_by = $1", session.UserId));
    }

    [Fact]
    public async Task UserCommand_WithUnreachableDatabase_ExitsDatabaseUnavailable()
    {
        var port = PublishedHub.FreeLoopbackPort();
        var run = await hub.RunCommandAsync(new CommandRun("user", "list")
        {
            Overrides = new Dictionary<string, string> { ["DATABASE_URL"] = $"postgresql://agentim:agentim@127.0.0.1:{port}/agentim" },
        });
        Assert.Equal(3, run.ExitCode);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task AdminCommands_InProductionWithoutTheServersSecrets_StillWork()
    {
        // The env of a production host an admin has not sourced: no ENCRYPTION_KEY, a dev JWT secret. Those are for
        // `serve`; the database commands need only DATABASE_URL.
        var production = new Dictionary<string, string> { ["AGENTIM_ENV"] = "production", ["JWT_SECRET"] = "short" };
        var list = await hub.RunCommandAsync(new CommandRun("user", "list") { Overrides = production });
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(HubFixture.AdminUsername, list.Stdout);

        var status = await hub.RunCommandAsync(new CommandRun("migrate", "--status") { Overrides = production });
        Assert.True(status.ExitCode == 0, status.ToString());

        var serve = await hub.RunCommandAsync(new CommandRun("serve") { Overrides = production });
        Assert.Equal(1, serve.ExitCode);
        Assert.Contains("JWT_SECRET", serve.Stderr);
    }

    [Fact]
    public async Task UserCommand_OnADatabaseNeverMigrated_SaysToRunMigrate()
    {
        var empty = await TestEnvironment.CreateDatabaseAsync("agentim_cli_empty");
        try
        {
            var overrides = new Dictionary<string, string> { ["DATABASE_URL"] = empty };
            var run = await hub.RunCommandAsync(new CommandRun("user", "list") { Overrides = overrides });
            Assert.Equal(3, run.ExitCode);
            Assert.Equal("agentim: the database at DATABASE_URL has no AgentIM tables yet; run `agentim migrate` first", run.Stderr.Trim());
        }
        finally
        {
            await TestEnvironment.DropDatabaseAsync(empty);
        }
    }

    [Fact]
    public void DatabaseProblem_WithoutDatabaseUrlAnywhere_NamesTheDefaultAndTheEnvFile()
    {
        var unset = AgentIM.Infrastructure.Config.HubConfig.FromEnvironment(new Dictionary<string, string>(), checkSecrets: false);
        var message = AgentIM.Cli.CommandLine.DatabaseProblem(unset, new Npgsql.NpgsqlException("Failed to connect to 127.0.0.1:5432"));
        Assert.Contains("DATABASE_URL is not set", message);
        Assert.Contains("--env-file /etc/agentim/agentim.env", message);

        var set = AgentIM.Infrastructure.Config.HubConfig.FromEnvironment(
            new Dictionary<string, string> { ["DATABASE_URL"] = "postgresql://u:p@127.0.0.1:1/db" }, checkSecrets: false);
        Assert.DoesNotContain("--env-file", AgentIM.Cli.CommandLine.DatabaseProblem(set, new Npgsql.NpgsqlException("refused")));
    }

    [Theory]
    [InlineData("user")]
    [InlineData("user", "role", "someone", "root")]
    [InlineData("user", "frobnicate")]
    [InlineData("capacity", "plan", "--users", "many")]
    [InlineData("capacity", "plan")]
    public async Task CommandLineThatDoesNotParse_ExitsWithUsage_NotConfiguration(params string[] arguments)
    {
        var run = await RunAsync(null, arguments);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.NotEmpty(run.Stderr.Trim());
    }

    private async Task<string> AddAsync(string prefix)
    {
        var name = Unique.Id(prefix);
        var run = await RunAsync(Password + "\n", "user", "add", name, "--password-stdin");
        Assert.True(run.ExitCode == 0, run.ToString());
        return name;
    }

    private Task<CommandResult> RunAsync(string? input, params string[] arguments) =>
        hub.RunCommandAsync(new CommandRun(arguments) { Input = input });

    private async Task<int> LoginStatusAsync(string username, string password)
    {
        using var response = await hub.Http.PostAsJsonAsync("/api/auth/login", new { username, password });
        return (int)response.StatusCode;
    }

    // Its own client without a cookie jar: the fixture's client keeps the refresh cookie of the latest login,
    // which the hub would take instead of the token in the body.
    private async Task<int> RefreshStatusAsync(string refreshToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = hub.BaseAddress };
        using var response = await client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken });
        return (int)response.StatusCode;
    }

    private Task<T> ScalarAsync<T>(string sql, params object[] parameters) => TestSql.ScalarAsync<T>(hub.DatabaseUrl, sql, parameters);
}
