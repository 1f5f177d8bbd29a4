using System.CommandLine;

namespace AgentIM.Cli;

/// <summary><c>agentim capacity plan | check | probe</c>: size a deployment, check one against its size, measure a running hub.</summary>
public static class CapacityCommand
{
    public static Command Create()
    {
        var command = new Command(
            "capacity", "Size a deployment (plan), check the one the settings point at (check), or measure a running hub (probe)");
        command.Subcommands.Add(CapacityPlanCommand.Create());
        command.Subcommands.Add(CapacityCheckCommand.Create());
        command.Subcommands.Add(CapacityProbeCommand.Create());
        return command;
    }
}
