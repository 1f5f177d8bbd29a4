using System.CommandLine;

namespace AgentIM.Gateway;

/// <summary>
/// The gateway mode's commands on the <c>agentim</c> tree: login, logout, status, gateway, run, claude, codex, gemini,
/// list, stop, rm.
/// </summary>
public static class GatewayCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(LoginCommand.Create());
        root.Subcommands.Add(LogoutCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(GatewayCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        foreach (var shortcut in AgentShortcutCommand.CreateAll())
        {
            root.Subcommands.Add(shortcut);
        }

        foreach (var daemon in DaemonCommands.Create())
        {
            root.Subcommands.Add(daemon);
        }
    }
}
