using System.CommandLine;

namespace AgentIM.Cli;

/// <summary><c>agentim user disable NAME</c>.</summary>
public static class UserDisableCommand
{
    public static Command Create()
    {
        var username = UserCli.UsernameArgument();
        var command = new Command("disable", "Disable a user: logins are refused and every session ends (the last active admin stays)");
        command.Arguments.Add(username);
        command.SetAction((parse, cancellationToken) =>
        {
            var name = parse.GetValue(username)!;
            return UserCli.RunAsync(parse, async admin => UserCli.Report(
                await admin.DisableAsync(name, cancellationToken), name, $"'{name}' is disabled; its sessions are ended."));
        });
        return command;
    }
}
