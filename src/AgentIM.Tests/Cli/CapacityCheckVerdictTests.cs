using AgentIM.Cli;
using AgentIM.Infrastructure.Config;

namespace AgentIM.Tests.Cli;

/// <summary>
/// The PostgreSQL verdicts of `agentim capacity check` from server settings the shared test server cannot be switched
/// to (autovacuum off, pg_stat_statements missing, small memory settings): the judging half of the check, fed the
/// values pg_settings would give.
/// </summary>
public sealed class CapacityCheckVerdictTests
{
    private const decimal Mb = 1024 * 1024;

    [Fact]
    public void PostgresLines_AutovacuumOff_FailsWithTheSettingToChange()
    {
        var lines = Judge(200, Settings(autovacuum: "off"));
        var line = Single(lines, "autovacuum");
        Assert.Equal(CheckVerdict.Fail, line.Verdict);
        Assert.Contains("set autovacuum = on", line.ToString());
    }

    [Fact]
    public void PostgresLines_PgStatStatements_PassesWhenPreloaded_WarnsWhenOnlyInstalledOrMissing()
    {
        var preloaded = Judge(10, Settings(preload: "pg_stat_statements, auto_explain"));
        Assert.Equal(CheckVerdict.Pass, Single(preloaded, "pg_stat_statements").Verdict);

        var installed = Single(Judge(10, Settings()), "pg_stat_statements");
        Assert.Equal(CheckVerdict.Warn, installed.Verdict);
        Assert.Contains("shared_preload_libraries", installed.ToString());

        var missing = Single(Judge(10, Settings(), available: false), "pg_stat_statements");
        Assert.Equal(CheckVerdict.Warn, missing.Verdict);
        Assert.Contains("postgresql-contrib", missing.ToString());
    }

    [Theory]
    [InlineData(10, 128, 4, CheckVerdict.Pass, CheckVerdict.Pass)]
    [InlineData(50, 128, 8, CheckVerdict.Warn, CheckVerdict.Pass)]
    [InlineData(200, 1024, 4, CheckVerdict.Pass, CheckVerdict.Warn)]
    public void PostgresLines_MemorySettings_AreJudgedAgainstTheTier(
        int users, int sharedBuffersMb, int workMemMb, CheckVerdict sharedBuffers, CheckVerdict workMem)
    {
        var lines = Judge(users, Settings(sharedBuffersMb: sharedBuffersMb, workMemMb: workMemMb));
        Assert.Equal(sharedBuffers, Single(lines, "shared_buffers").Verdict);
        Assert.Equal(workMem, Single(lines, "work_mem").Verdict);
        var tier = CapacityPlanner.Plan(users).Postgres;
        if (sharedBuffers == CheckVerdict.Warn)
        {
            Assert.Contains($"fix: set shared_buffers = {tier.SharedBuffersMb}MB", Single(lines, "shared_buffers").ToString());
        }

        if (workMem == CheckVerdict.Warn)
        {
            Assert.Contains($"fix: set work_mem = {tier.WorkMemMb}MB", Single(lines, "work_mem").ToString());
        }
    }

    [Fact]
    public void PostgresLines_MaxConnectionsBelowTheTierButAboveThePool_Warns()
    {
        var line = Single(Judge(200, Settings(maxConnections: 50)), "max_connections");
        Assert.Equal(CheckVerdict.Warn, line.Verdict);
        Assert.Contains("max_connections = 100", line.ToString());
    }

    private static IReadOnlyList<CapacityCheckLine> Judge(
        int users, (Dictionary<string, string> Text, Dictionary<string, decimal> Numbers) settings, bool available = true)
    {
        var config = HubConfig.FromEnvironment(new Dictionary<string, string> { ["AGENTIM_ENV"] = "development" });
        return new CapacityChecks(config, CapacityPlanner.Plan(users)).PostgresLines(settings.Text, settings.Numbers, available);
    }

    private static (Dictionary<string, string> Text, Dictionary<string, decimal> Numbers) Settings(
        string autovacuum = "on", string preload = "", int maxConnections = 100, int sharedBuffersMb = 128, int workMemMb = 4)
    {
        var text = new Dictionary<string, string> { ["autovacuum"] = autovacuum, ["shared_preload_libraries"] = preload };
        var numbers = new Dictionary<string, decimal>
        {
            ["max_connections"] = maxConnections,
            ["superuser_reserved_connections"] = 3,
            ["shared_buffers"] = sharedBuffersMb * Mb,
            ["work_mem"] = workMemMb * Mb,
        };
        return (text, numbers);
    }

    private static CapacityCheckLine Single(IReadOnlyList<CapacityCheckLine> lines, string subject) =>
        Assert.Single(lines, l => l.Subject == subject);
}
