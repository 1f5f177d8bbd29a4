using AgentIM.Tests.Smoke;

namespace AgentIM.Tests.Cli;

/// <summary>
/// `agentim capacity check` as the published binary against the hub's real PostgreSQL and Redis: a lowered open-file
/// limit and a pool larger than PostgreSQL's max_connections turn their lines to warn/fail and set the exit code.
/// </summary>
public sealed class CapacityCheckTests(PublishedHub hub) : IClassFixture<PublishedHub>
{
    private static readonly string[] LowNoFile = ["prlimit", "--nofile=256:256"];

    [Fact]
    public async Task Check_WithTheEnvironmentsLimits_PassesOpenFilesAndMaxConnections_AndPrintsEveryCheck()
    {
        var run = await CheckAsync([]);
        Assert.InRange(run.ExitCode, 0, 1);
        Assert.StartsWith("pass  open files:", Line(run, "open files"));
        Assert.StartsWith("pass  max_connections:", Line(run, "max_connections"));
        Assert.StartsWith("pass  autovacuum:", Line(run, "autovacuum"));
        Assert.StartsWith("pass  redis:", Line(run, "redis"));
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("  shared_buffers: ", StringComparison.Ordinal));
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("  work_mem: ", StringComparison.Ordinal));
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("  pg_stat_statements: ", StringComparison.Ordinal));
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("  UPLOAD_DIR: ", StringComparison.Ordinal));
        // The hub runs in development, where metrics auth is off by default.
        Assert.StartsWith("warn  metrics auth:", Line(run, "metrics auth"));
        Assert.Contains("fix: set METRICS_AUTH_ENABLED=true", Line(run, "metrics auth"));
    }

    [Fact]
    public async Task Check_UnderALoweredOpenFileLimit_WarnsForTenUsers_AndFailsFor200()
    {
        var small = await CheckAsync(LowNoFile);
        Assert.StartsWith("warn  open files: soft limit 256 ", Line(small, "open files"));
        Assert.Contains("fix: set LimitNOFILE=1024", Line(small, "open files"));
        Assert.True(small.ExitCode == 1, small.ToString());

        var large = await CheckAsync(LowNoFile, "--users", "200");
        Assert.StartsWith("fail  open files: soft limit 256 ", Line(large, "open files"));
        Assert.Contains("fix: set LimitNOFILE=65536", Line(large, "open files"));
        Assert.True(large.ExitCode == 2, large.ToString());
    }

    [Fact]
    public async Task Check_WithAPoolAboveMaxConnections_Fails()
    {
        // The test server runs with max_connections=100, 3 of them kept for superusers.
        var run = await CheckAsync([], overrides: new Dictionary<string, string> { ["DB_POOL_SIZE"] = "100" });
        Assert.StartsWith("fail  max_connections: 100 ", Line(run, "max_connections"));
        Assert.Contains("DB_POOL_SIZE=100", Line(run, "max_connections"));
        Assert.Contains("fix: ", Line(run, "max_connections"));
        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Fact]
    public async Task Check_WithRedisDown_FailsTheRedisLine()
    {
        var port = PublishedHub.FreeLoopbackPort();
        var run = await CheckAsync([], overrides: new Dictionary<string, string> { ["REDIS_URL"] = $"127.0.0.1:{port}" });
        Assert.StartsWith("fail  redis:", Line(run, "redis"));
        Assert.Equal(2, run.ExitCode);
    }

    private Task<CommandResult> CheckAsync(string[] wrapper, params string[] arguments) => CheckAsync(wrapper, null, arguments);

    private Task<CommandResult> CheckAsync(string[] wrapper, IReadOnlyDictionary<string, string>? overrides, params string[] arguments)
    {
        var environment = new Dictionary<string, string> { ["REDIS_URL"] = Support.TestEnvironment.Require("REDIS_URL") };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return hub.RunCommandAsync(new CommandRun(["capacity", "check", .. arguments]) { Wrapper = wrapper, Overrides = environment });
    }

    private static string Line(CommandResult run, string subject) =>
        run.Stdout.Split('\n').SingleOrDefault(l => l.Length > 6 && l[6..].StartsWith(subject + ":", StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no '{subject}' line in:\n{run}");
}
