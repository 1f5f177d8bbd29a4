using System.CommandLine;
using System.Text;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Http;
using AgentIM.Users;

namespace AgentIM.Cli;

/// <summary>What the <c>agentim user …</c> commands share: the database, password input and outcome messages.</summary>
public static class UserCli
{
    /// <summary>Printed when the confirmation differs from the first password. Stable: tests and scripts match it.</summary>
    public const string MismatchMessage = "agentim: the two passwords differ; nothing was changed (run the command again)";

    public static Argument<string> UsernameArgument() => new("username") { Description = "The user's name (any letter case)" };

    public static Option<bool> PasswordStdinOption() => new("--password-stdin")
    {
        Description = "Read the password from the first line of standard input instead of prompting (for scripts)",
    };

    /// <summary>Opens the database the settings name and runs <paramref name="action"/> on it.</summary>
    public static Task<int> RunAsync(ParseResult parse, Func<UserAdmin, Task<int>> action) =>
        RunAsync(parse, (admin, _) => action(admin));

    /// <summary>The same, for commands that also need the rest of the settings (the upload folder).</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<UserAdmin, HubConfig, Task<int>> action)
    {
        if (CommandLine.LoadConfig(parse, checkSecrets: false) is not { } config)
        {
            return ExitCodes.Config;
        }

        await using var database = new HubDatabase(ConnectionStrings.ToNpgsql(config.DatabaseUrl, 2));
        try
        {
            return await action(new UserAdmin(database), config);
        }
        catch (Exception e) when (DbErrors.IsUnavailable(e) || e is Npgsql.NpgsqlException)
        {
            await Console.Error.WriteLineAsync(CommandLine.DatabaseProblem(config, e));
            return ExitCodes.DatabaseUnavailable;
        }
    }

    /// <summary>Turns an outcome into the exit code, printing <paramref name="done"/> or the one-line reason.</summary>
    public static int Report(UserAdminOutcome outcome, string username, string done)
    {
        switch (outcome)
        {
            case UserAdminOutcome.Done:
                Console.WriteLine(done);
                return ExitCodes.Ok;
            case UserAdminOutcome.NotFound:
                Console.Error.WriteLine($"agentim: no user named '{username}'");
                return ExitCodes.NotFound;
            case UserAdminOutcome.Taken:
                Console.Error.WriteLine($"agentim: the username '{username}' is taken (names are unique regardless of letter case)");
                return ExitCodes.Conflict;
            default:
                Console.Error.WriteLine($"agentim: '{username}' is the last active admin; make another admin first");
                return ExitCodes.Conflict;
        }
    }

    public static bool CheckUsername(string username)
    {
        if (UsernameRule.IsValid(username))
        {
            return true;
        }

        Console.Error.WriteLine("agentim: a username is 3-50 characters of letters, digits, '_' and '-'");
        return false;
    }

    /// <summary>
    /// The new password: the first line of standard input with --password-stdin, otherwise typed twice at a
    /// hidden prompt. Null (after a one-line message) when there is none, the two differ, or it breaks the policy.
    /// </summary>
    public static string? ReadNewPassword(bool fromStdin)
    {
        string? password;
        if (fromStdin)
        {
            password = Console.In.ReadLine();
        }
        else if (Console.IsInputRedirected)
        {
            Console.Error.WriteLine("agentim: no terminal to prompt for the password on; pass it with --password-stdin");
            return null;
        }
        else
        {
            password = Prompt("New password: ");
            if (password is not null && Prompt("Repeat it: ") != password)
            {
                Console.Error.WriteLine(MismatchMessage);
                return null;
            }
        }

        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("agentim: no password given; nothing was changed");
            return null;
        }

        if (!new Validation().Password("password", password))
        {
            Console.Error.WriteLine("agentim: a password is 8-128 characters with a lower-case letter, an upper-case letter and a digit");
            return null;
        }

        return password;
    }

    private static string? Prompt(string label)
    {
        Console.Error.Write(label);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.Error.WriteLine();
                    return text.ToString();
                case ConsoleKey.Backspace:
                    if (text.Length > 0)
                    {
                        text.Length--;
                    }

                    break;
                default:
                    if (key.KeyChar == '\u0004' && text.Length == 0)
                    {
                        Console.Error.WriteLine();
                        return null;
                    }

                    if (!char.IsControl(key.KeyChar))
                    {
                        text.Append(key.KeyChar);
                    }

                    break;
            }
        }
    }
}
