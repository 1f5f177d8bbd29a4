using System.Text.Json.Nodes;
using AgentIM.Cli;
using AgentIM.Tests.Smoke;

namespace AgentIM.Tests.Cli;

/// <summary>`agentim capacity plan` against the seed's tables (capacity-planning.md).</summary>
public sealed class CapacityPlanTests(PublishedHub hub) : IClassFixture<PublishedHub>
{
    // users, vCPU, RAM GB, disk GB, max_connections, shared_buffers MB, work_mem MB, PG data GB, WS connections, ulimit -n
    [Theory]
    [InlineData(10, 1, 1, 10, 20, 128, 4, 1, 20, 1024)]
    [InlineData(50, 2, 4, 40, 50, 512, 8, 5, 100, 4096)]
    [InlineData(200, 4, 8, 100, 100, 1024, 16, 20, 500, 65536)]
    public void Plan_ForASeedTier_MatchesTheSeedTables(
        int users, int vcpu, int ramGb, int diskGb, int maxConnections,
        int sharedBuffersMb, int workMemMb, int pgDataGb, int connections, int ulimit)
    {
        var plan = CapacityPlanner.Plan(users);
        Assert.Equal((vcpu, ramGb, diskGb), (plan.Hardware.Vcpu, plan.Hardware.RamGb, plan.Hardware.DiskGb));
        Assert.Equal((maxConnections, sharedBuffersMb, workMemMb, pgDataGb),
            (plan.Postgres.MaxConnections, plan.Postgres.SharedBuffersMb, plan.Postgres.WorkMemMb, plan.Postgres.DataDiskGb));
        Assert.Equal((connections, ulimit), (plan.WebSockets.ExpectedConnections, plan.WebSockets.OpenFileLimit));
        Assert.Equal(
            ("< 100 MB", "1-5 GB", "5-20 GB"),
            (plan.UploadsPerMonth.Light, plan.UploadsPerMonth.Moderate, plan.UploadsPerMonth.Heavy));
        Assert.Equal(64, plan.Redis.InstanceMb);
    }

    [Fact]
    public void Plan_BetweenTiers_TakesTheNextTierUp()
    {
        Assert.Equal(50, CapacityPlanner.Plan(11).TierMaxUsers);
        Assert.Equal(2, CapacityPlanner.Plan(11).Hardware.Vcpu);
        Assert.Equal(200, CapacityPlanner.Plan(51).TierMaxUsers);
        var beyond = CapacityPlanner.Plan(1000);
        Assert.Equal(2500, beyond.WebSockets.ExpectedConnections);
        Assert.True(
            beyond.WebSockets.OpenFileLimit >= 4 * 2500,
            beyond.WebSockets.OpenFileLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("dedicated", beyond.Hardware.Notes);
    }

    // The seed's rough Redis totals; the per-unit sum must land within a factor of two of each.
    [Theory]
    [InlineData(10, 20, 50)]
    [InlineData(50, 100, 500)]
    [InlineData(200, 500, 5 * 1024)]
    public void Plan_RedisEstimateFromPerUnitFigures_IsNearTheSeedsRoughTotal(int users, int rooms, int seedKb)
    {
        var redis = CapacityPlanner.Plan(users, rooms).Redis;
        Assert.InRange(redis.EstimateKb, seedKb / 2, seedKb * 2);
        var parts = redis.SessionsKb + redis.SubscriptionsKb + redis.ChannelsKb + redis.TypingKb + redis.RevocationsKb;
        Assert.InRange(parts, redis.EstimateKb - 1, redis.EstimateKb + 1);
    }

    [Fact]
    public async Task PublishedBinary_PlanJson_For50UsersIsTheSeedRow()
    {
        var run = await hub.RunCommandAsync(new CommandRun("capacity", "plan", "--users", "50", "--rooms", "100", "--json"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var plan = JsonNode.Parse(run.Stdout)!;
        Assert.Equal(50, plan["users"]!.GetValue<int>());
        Assert.Equal(100, plan["rooms"]!.GetValue<int>());
        Assert.Equal(2, plan["hardware"]!["vcpu"]!.GetValue<int>());
        Assert.Equal(4, plan["hardware"]!["ramGb"]!.GetValue<int>());
        Assert.Equal(512, plan["postgres"]!["sharedBuffersMb"]!.GetValue<int>());
        Assert.Equal(4096, plan["webSockets"]!["openFileLimit"]!.GetValue<int>());
        Assert.InRange(plan["redis"]!["estimateKb"]!.GetValue<int>(), 250, 1000);
    }

    [Fact]
    public async Task PublishedBinary_PlanText_NamesTheSettings_AndRefusesZeroUsers()
    {
        var run = await hub.RunCommandAsync(new CommandRun("capacity", "plan", "--users", "200"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("max_connections = 100", run.Stdout);
        Assert.Contains("shared_buffers = 1024MB", run.Stdout);
        Assert.Contains("ulimit -n 65536", run.Stdout);

        var zero = await hub.RunCommandAsync(new CommandRun("capacity", "plan", "--users", "0"));
        Assert.Equal(2, zero.ExitCode);
        Assert.Single(zero.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Describe_BeyondTheLargestTier_SaysTheFiguresAreAFloor()
    {
        Assert.Contains("(seed tier: up to 200 users)", CapacityPlanCommand.Describe(CapacityPlanner.Plan(200)));
        var beyond = CapacityPlanCommand.Describe(CapacityPlanner.Plan(1000));
        Assert.Contains("beyond the seed's largest tier of 200 users", beyond);
        Assert.DoesNotContain("seed tier: up to", beyond);
    }

    [Fact]
    public async Task PublishedBinary_PlanWithUsersNotANumber_SaysSoInWordsAndExitsUsage()
    {
        var run = await hub.RunCommandAsync(new CommandRun("capacity", "plan", "--users", "many"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--users takes a whole number, not 'many'", run.Stderr);
        Assert.DoesNotContain("System.Int32", run.Stderr);
    }
}
