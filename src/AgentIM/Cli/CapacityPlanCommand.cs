using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace AgentIM.Cli;

/// <summary><c>agentim capacity plan --users N [--rooms R] [--json]</c>: the seed's tables for that size.</summary>
public static class CapacityPlanCommand
{
    public static Command Create()
    {
        var users = new Option<int>("--users")
        {
            Description = "How many people will use the hub", Required = true, CustomParser = CommandLine.WholeNumber("--users"),
        };
        var wholeRooms = CommandLine.WholeNumber("--rooms");
        var rooms = new Option<int?>("--rooms")
        {
            Description = "How many rooms (default: two per user)", CustomParser = r => wholeRooms(r),
        };
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON" };
        var command = new Command("plan", "Recommend hardware, PostgreSQL, Redis, descriptor and storage sizes for N users");
        command.Options.Add(users);
        command.Options.Add(rooms);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var userCount = parse.GetValue(users);
            var roomCount = parse.GetValue(rooms);
            if (userCount < 1 || roomCount < 1)
            {
                Console.Error.WriteLine("agentim: --users and --rooms must be at least 1");
                return ExitCodes.Usage;
            }

            var plan = CapacityPlanner.Plan(userCount, roomCount);
            Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(plan, CliJson.Default.CapacityPlan) : Describe(plan));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static string Describe(CapacityPlan plan)
    {
        var (h, pg, redis, ws, up) = (plan.Hardware, plan.Postgres, plan.Redis, plan.WebSockets, plan.UploadsPerMonth);
        var tier = plan.Users <= plan.TierMaxUsers
            ? $"seed tier: up to {plan.TierMaxUsers} users"
            : $"beyond the seed's largest tier of {plan.TierMaxUsers} users: its hardware and PostgreSQL figures are a floor, not a fit";
        var postgres = string.Create(CultureInfo.InvariantCulture,
            $"max_connections = {pg.MaxConnections}, shared_buffers = {pg.SharedBuffersMb}MB, work_mem = {pg.WorkMemMb}MB");
        var redisParts = string.Create(CultureInfo.InvariantCulture,
            $"sessions {redis.SessionsKb} KB, subscriptions {redis.SubscriptionsKb} KB, channels {redis.ChannelsKb} KB, "
            + $"typing {redis.TypingKb} KB, revocations {redis.RevocationsKb} KB");
        var openFiles = string.Create(CultureInfo.InvariantCulture,
            $"ulimit -n {ws.OpenFileLimit} (LimitNOFILE={ws.OpenFileLimit} in the systemd unit)");
        return string.Create(CultureInfo.InvariantCulture, $"""
            Capacity plan for {plan.Users} users and {plan.Rooms} rooms ({tier})
            Hardware     {h.Vcpu} vCPU, {h.RamGb} GB RAM, {h.DiskGb} GB disk ({h.Notes})
            PostgreSQL   {postgres}, data disk {pg.DataDiskGb} GB
            Redis        ~{redis.EstimateKb} KB ({redisParts}); a {redis.InstanceMb} MB instance
            WebSockets   ~{ws.ExpectedConnections} connections; {openFiles}
            Uploads      per month: light (text-only) {up.Light}, moderate (images) {up.Moderate}, heavy (documents) {up.Heavy}
            """);
    }
}
