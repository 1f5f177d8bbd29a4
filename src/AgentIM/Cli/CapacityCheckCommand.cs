using System.CommandLine;

namespace AgentIM.Cli;

/// <summary>
/// <c>agentim capacity check [--users N] [--hub-pid PID]</c>: one pass/warn/fail line per check, each with its fix.
/// Exits 0 when all pass, 1 on a warning, 2 on a failure (a settings or usage error is a failure too), so monitoring
/// can use it.
/// </summary>
public static class CapacityCheckCommand
{
    public static Command Create()
    {
        var users = new Option<int>("--users")
        {
            Description = "How many people use the hub; picks the seed tier to check against",
            DefaultValueFactory = _ => 10,
            CustomParser = CommandLine.WholeNumber("--users"),
        };
        var hubPid = new Option<int?>("--hub-pid")
        {
            Description = "The running hub whose open-file limit to check (default: every `agentim serve` on this machine)",
        };
        var wholePid = CommandLine.WholeNumber("--hub-pid");
        hubPid.CustomParser = r => wholePid(r);
        var command = new Command(
            "check", "Check the deployment the settings point at against the tier for --users; exits 0 pass, 1 warn, 2 fail");
        command.Options.Add(users);
        command.Options.Add(hubPid);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var userCount = parse.GetValue(users);
            if (userCount < 1)
            {
                await Console.Error.WriteLineAsync("agentim: --users must be at least 1");
                return ExitCodes.CheckFail;
            }

            if (CommandLine.LoadConfig(parse, checkSecrets: false) is not { } config)
            {
                return ExitCodes.CheckFail;
            }

            var checks = new CapacityChecks(config, CapacityPlanner.Plan(userCount), parse.GetValue(hubPid));
            var lines = await checks.RunAsync(cancellationToken);
            foreach (var line in lines)
            {
                Console.WriteLine(line);
            }

            var worst = lines.Max(l => l.Verdict);
            return worst switch { CheckVerdict.Pass => ExitCodes.Ok, CheckVerdict.Warn => ExitCodes.CheckWarn, _ => ExitCodes.CheckFail };
        });
        return command;
    }
}
