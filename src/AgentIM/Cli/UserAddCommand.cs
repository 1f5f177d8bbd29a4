using System.CommandLine;
using AgentIM.Auth;
using AgentIM.Users;

namespace AgentIM.Cli;

/// <summary><c>agentim user add NAME [--role admin|user] [--display-name TEXT] [--password-stdin]</c>.</summary>
public static class UserAddCommand
{
    public static Command Create()
    {
        var username = UserCli.UsernameArgument();
        var role = new Option<string>("--role") { Description = "admin or user", DefaultValueFactory = _ => UserAdmin.UserRole };
        role.AcceptOnlyFromAmong(UserAdmin.AdminRole, UserAdmin.UserRole);
        var displayName = new Option<string?>("--display-name") { Description = "The name shown in rooms (default: the username)" };
        var passwordStdin = UserCli.PasswordStdinOption();
        var command = new Command("add", "Create a user; prompts for the password unless --password-stdin");
        command.Arguments.Add(username);
        command.Options.Add(role);
        command.Options.Add(displayName);
        command.Options.Add(passwordStdin);
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse, parse.GetValue(username)!, parse.GetValue(role)!, parse.GetValue(displayName), parse.GetValue(passwordStdin),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        ParseResult parse, string username, string role, string? displayName, bool passwordStdin, CancellationToken cancellationToken)
    {
        if (!UserCli.CheckUsername(username))
        {
            return ExitCodes.Usage;
        }

        displayName ??= username;
        if (displayName.Trim().Length is < 1 or > 100)
        {
            await Console.Error.WriteLineAsync("agentim: a display name is 1-100 characters and not blank");
            return ExitCodes.Usage;
        }

        // Settings, database and name are checked before the prompt, so nobody types a password twice for nothing.
        return await UserCli.RunAsync(parse, async admin =>
        {
            if (await admin.FindAsync(username, cancellationToken) is not null)
            {
                return UserCli.Report(UserAdminOutcome.Taken, username, "");
            }

            if (UserCli.ReadNewPassword(passwordStdin) is not { } password)
            {
                return ExitCodes.Usage;
            }

            var hash = await new PasswordHasher().HashAsync(password, cancellationToken);
            return UserCli.Report(
                await admin.AddAsync(username, hash, displayName, role, cancellationToken), username, $"Created {role} '{username}'.");
        });
    }
}
