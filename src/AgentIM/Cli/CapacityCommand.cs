using System.CommandLine;

namespace AgentIM.Cli;

/// <summary><c>agentim capacity plan | check</c>: size a deployment, and check one against its size.</summary>
public static class CapacityCommand
{
    public static Command Create()
    {
        var command = new Command("capacity", "Size a deployment (plan) or check the one the settings point at (check)");
        command.Subcommands.Add(CapacityPlanCommand.Create());
        command.Subcommands.Add(CapacityCheckCommand.Create());
        return command;
    }
}
