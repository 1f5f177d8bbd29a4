using System.CommandLine;
using AgentIM.Cli;

namespace AgentIM.Gateway;

/// <summary><c>agentim logout</c>: forgets the saved tokens (the gateway id and agent ids stay, so agents keep their rooms).</summary>
public static class LogoutCommand
{
    public static Command Create()
    {
        var command = new Command("logout", "Forget this machine's saved hub tokens");
        command.SetAction(_ =>
        {
            var store = GatewayConfigStore.FromEnvironment();
            Console.WriteLine(store.DeleteSettings() ? "Logged out." : "Not logged in.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
