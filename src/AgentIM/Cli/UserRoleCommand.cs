using System.CommandLine;
using AgentIM.Users;

namespace AgentIM.Cli;

/// <summary><c>agentim user role NAME admin|user</c>.</summary>
public static class UserRoleCommand
{
    public static Command Create()
    {
        var username = UserCli.UsernameArgument();
        var role = new Argument<string>("role") { Description = "admin or user" };
        role.AcceptOnlyFromAmong(UserAdmin.AdminRole, UserAdmin.UserRole);
        var command = new Command("role", "Make a user an admin or a plain user (the last active admin stays admin)");
        command.Arguments.Add(username);
        command.Arguments.Add(role);
        command.SetAction((parse, cancellationToken) =>
        {
            var name = parse.GetValue(username)!;
            var newRole = parse.GetValue(role)!;
            return UserCli.RunAsync(parse, async admin => UserCli.Report(
                await admin.SetRoleAsync(name, newRole, cancellationToken), name, $"'{name}' is now {newRole}."));
        });
        return command;
    }
}
