using System.CommandLine;

namespace AgentIM.Cli;

/// <summary><c>agentim user enable NAME</c>.</summary>
public static class UserEnableCommand
{
    public static Command Create()
    {
        var username = UserCli.UsernameArgument();
        var command = new Command("enable", "Enable a disabled user again");
        command.Arguments.Add(username);
        command.SetAction((parse, cancellationToken) =>
        {
            var name = parse.GetValue(username)!;
            return UserCli.RunAsync(parse, async admin => UserCli.Report(
                await admin.EnableAsync(name, cancellationToken), name, $"'{name}' is enabled."));
        });
        return command;
    }
}
