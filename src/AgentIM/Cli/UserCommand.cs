using System.CommandLine;

namespace AgentIM.Cli;

/// <summary><c>agentim user …</c>: manage accounts directly in the database (never through the HTTP API).</summary>
public static class UserCommand
{
    public static Command Create()
    {
        var command = new Command("user", "Manage user accounts directly in the database");
        command.Subcommands.Add(UserAddCommand.Create());
        command.Subcommands.Add(UserListCommand.Create());
        command.Subcommands.Add(UserPasswdCommand.Create());
        command.Subcommands.Add(UserRoleCommand.Create());
        command.Subcommands.Add(UserDisableCommand.Create());
        command.Subcommands.Add(UserEnableCommand.Create());
        command.Subcommands.Add(UserUnlockCommand.Create());
        command.Subcommands.Add(UserDeleteCommand.Create());
        return command;
    }
}
