using System.CommandLine;

namespace AgentIM.Cli;

/// <summary><c>agentim user unlock NAME</c>.</summary>
public static class UserUnlockCommand
{
    public static Command Create()
    {
        var username = UserCli.UsernameArgument();
        var command = new Command("unlock", "End a lock left by too many wrong passwords");
        command.Arguments.Add(username);
        command.SetAction((parse, cancellationToken) =>
        {
            var name = parse.GetValue(username)!;
            return UserCli.RunAsync(parse, async admin => UserCli.Report(
                await admin.UnlockAsync(name, cancellationToken), name, $"'{name}' is unlocked."));
        });
        return command;
    }
}
