using System.CommandLine;
using AgentIM.Auth;
using AgentIM.Users;

namespace AgentIM.Cli;

/// <summary><c>agentim user passwd NAME [--password-stdin]</c>: set a new password; ends every session of the user.</summary>
public static class UserPasswdCommand
{
    public static Command Create()
    {
        var username = UserCli.UsernameArgument();
        var passwordStdin = UserCli.PasswordStdinOption();
        var command = new Command("passwd", "Set a user's password, clear a lock and end all of the user's sessions");
        command.Arguments.Add(username);
        command.Options.Add(passwordStdin);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(username)!;
            return await UserCli.RunAsync(parse, async admin =>
            {
                // An unknown name is refused before the prompt, so nobody types a password twice for nothing.
                if (await admin.FindAsync(name, cancellationToken) is null)
                {
                    return UserCli.Report(UserAdminOutcome.NotFound, name, "");
                }

                if (UserCli.ReadNewPassword(parse.GetValue(passwordStdin)) is not { } password)
                {
                    return ExitCodes.Usage;
                }

                var hash = await new PasswordHasher().HashAsync(password, cancellationToken);
                var outcome = await admin.SetPasswordAsync(name, hash, cancellationToken);
                return UserCli.Report(outcome, name, $"Password of '{name}' changed; its sessions are ended.");
            });
        });
        return command;
    }
}
