using AgentIM.Tests.Smoke;
using AgentIM.Tests.Support;

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
        var run = await CheckAsync([], "--hub-pid", Pid(hub.ProcessId));
        Assert.InRange(run.ExitCode, 0, 1);
        Assert.StartsWith("pass  open files: soft limit ", Line(run, "open files"));
        Assert.Contains($"of the hub (pid {hub.ProcessId})", Line(run, "open files"));
        Assert.StartsWith("pass  max_connections:", Line(run, "max_connections"));
        Assert.StartsWith("pass  autovacuum:", Line(run, "autovacuum"));
        Assert.StartsWith("pass  redis:", Line(run, "redis"));
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("  shared_buffers: ", StringComparison.Ordinal));
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("  work_mem: ", StringComparison.Ordinal));
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("  pg_stat_statements: ", StringComparison.Ordinal));
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("  UPLOAD_DIR space: ", StringComparison.Ordinal));
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("  UPLOAD_DIR volume: ", StringComparison.Ordinal));
        // The hub runs in development, where metrics auth is off by default.
        Assert.StartsWith("warn  metrics auth:", Line(run, "metrics auth"));
        Assert.Contains("fix: set METRICS_AUTH_ENABLED=true", Line(run, "metrics auth"));
    }

    [Fact]
    public async Task Check_AHubRunningUnderALoweredOpenFileLimit_WarnsForTenUsers_FailsFor200_AndIsFoundWithoutAPid()
    {
        // A second hub of the same database, started the way a too-tight unit or shell would start it. The check runs
        // with the environment's own (high) limit: what counts is the running hub's.
        var port = PublishedHub.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var lowered = hub.StartOther(new Dictionary<string, string> { ["PORT"] = port }, LowNoFile, "serve");
        try
        {
            var pid = Pid(lowered.Id);
            var small = await CheckAsync([], "--hub-pid", pid);
            Assert.StartsWith($"warn  open files: soft limit 256 of the hub (pid {pid}) ", Line(small, "open files"));
            Assert.Contains("fix: set LimitNOFILE=1024", Line(small, "open files"));
            Assert.True(small.ExitCode == 1, small.ToString());

            var large = await CheckAsync([], "--hub-pid", pid, "--users", "200");
            Assert.StartsWith($"fail  open files: soft limit 256 of the hub (pid {pid}) ", Line(large, "open files"));
            Assert.Contains("fix: set LimitNOFILE=65536", Line(large, "open files"));
            Assert.True(large.ExitCode == 2, large.ToString());

            // Without --hub-pid every `agentim serve` of the machine gets its line (other test hubs may be among them).
            var found = await CheckAsync([]);
            var loweredLine = $"warn  open files: soft limit 256 of the hub (pid {pid}) ";
            Assert.Contains(Lines(found, "open files"), l => l.StartsWith(loweredLine, StringComparison.Ordinal));
            Assert.Contains(Lines(found, "open files"), l => l.Contains($"(pid {hub.ProcessId})", StringComparison.Ordinal));
            Assert.True(found.ExitCode >= 1, found.ToString());
        }
        finally
        {
            lowered.Kill();
            await lowered.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Check_HubPidOfNoProcess_FailsSayingHowToFindThePid()
    {
        var run = await CheckAsync([], "--hub-pid", "2147483646");
        Assert.StartsWith("fail  open files: no process with pid 2147483646", Line(run, "open files"));
        Assert.Contains("systemctl show -p MainPID", Line(run, "open files"));
        Assert.Equal(2, run.ExitCode);
    }

    [Theory]
    [InlineData("--hub-pid", "self")]
    [InlineData("--users", "many")]
    [InlineData("--frobnicate")]
    public async Task Check_CommandLineThatDoesNotParse_ExitsTwo_NotOneWhichMeansWarn(params string[] arguments)
    {
        var run = await CheckAsync([], arguments);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(arguments[0].TrimStart('-'), run.Stderr);
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

    [Fact]
    public async Task Check_WithoutRedisAndWithMetricsAuth_PassesBothLines()
    {
        var run = await CheckAsync([], new Dictionary<string, string> { ["REDIS_URL"] = "", ["METRICS_AUTH_ENABLED"] = "true" });
        Assert.StartsWith("pass  redis: REDIS_URL is not set", Line(run, "redis"));
        Assert.StartsWith("pass  metrics auth:", Line(run, "metrics auth"));
    }

    [Fact]
    public async Task Check_UploadDirOnASmallVolumeOfItsOwn_FailsTheSpace_AndPassesTheVolume()
    {
        // A 16 MiB tmpfs of the test's own (tests run as root): less than the 1 GB floor, and not the root filesystem.
        var mount = Directory.CreateTempSubdirectory("agentim-check-uploads-").FullName;
        await RunToolAsync("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount);
        try
        {
            var run = await CheckAsync([], new Dictionary<string, string> { ["UPLOAD_DIR"] = mount });
            Assert.StartsWith($"fail  UPLOAD_DIR space: 16MB free on {mount}", Line(run, "UPLOAD_DIR space"));
            Assert.Contains("fix: ", Line(run, "UPLOAD_DIR space"));
            Assert.StartsWith($"pass  UPLOAD_DIR volume: {mount} is on its own filesystem", Line(run, "UPLOAD_DIR volume"));
            Assert.Equal(2, run.ExitCode);
        }
        finally
        {
            await RunToolAsync("umount", mount);
            Directory.Delete(mount);
        }
    }

    [Fact]
    public async Task Check_UploadDirMissingOrOnTheRootFilesystem_FailsOrWarnsWithTheFix()
    {
        var missing = Path.Combine(Path.GetTempPath(), Unique.Id("agentim-no-such-dir"));
        var run = await CheckAsync([], new Dictionary<string, string> { ["UPLOAD_DIR"] = missing });
        Assert.StartsWith($"fail  UPLOAD_DIR space: {missing} does not exist", Line(run, "UPLOAD_DIR space"));
        Assert.Contains($"install -d -m 0750 -o agentim -g agentim {missing}", Line(run, "UPLOAD_DIR space"));
        Assert.Equal(2, run.ExitCode);

        var root = await CheckAsync([], new Dictionary<string, string> { ["UPLOAD_DIR"] = "/" });
        Assert.StartsWith("warn  UPLOAD_DIR volume: / is on the root filesystem", Line(root, "UPLOAD_DIR volume"));
        Assert.Contains("fix: mount a separate volume at UPLOAD_DIR", Line(root, "UPLOAD_DIR volume"));
    }

    private static string Pid(int pid) => pid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task RunToolAsync(string tool, params string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} failed: {error}");
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
        Lines(run, subject).SingleOrDefault() ?? throw new Xunit.Sdk.XunitException($"not one '{subject}' line in:\n{run}");

    private static List<string> Lines(CommandResult run, string subject) =>
        [.. run.Stdout.Split('\n').Where(l => l.Length > 6 && l[6..].StartsWith(subject + ":", StringComparison.Ordinal))];
}
