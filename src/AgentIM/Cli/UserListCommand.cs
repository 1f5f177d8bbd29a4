using System.CommandLine;
using System.Text.Json;
using AgentIM.Infrastructure.Json;
using AgentIM.Users;

namespace AgentIM.Cli;

/// <summary><c>agentim user list [--json]</c>.</summary>
public static class UserListCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table" };
        var command = new Command("list", "List every user with role and state (active, disabled, locked)");
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) => UserCli.RunAsync(parse, async admin =>
        {
            var users = (await admin.ListAsync(cancellationToken)).Select(ToEntry).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(users, CliJson.Default.ListUserListEntry));
                return ExitCodes.Ok;
            }

            Console.WriteLine($"{"USERNAME",-30} {"ROLE",-6} {"STATE",-9} CREATED");
            foreach (var user in users)
            {
                Console.WriteLine($"{user.Username,-30} {user.Role,-6} {user.State,-9} {user.CreatedAt}");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static UserListEntry ToEntry(AdminUserRow row)
    {
        var locked = row.LockedUntil > DateTime.UtcNow;
        var state = row.DisabledAt is not null ? "disabled" : locked ? "locked" : "active";
        return new UserListEntry(
            row.Id,
            row.Username,
            row.DisplayName,
            row.Role,
            state,
            UtcTimestampConverter.ToWire(row.CreatedAt),
            row.DisabledAt is { } disabled ? UtcTimestampConverter.ToWire(disabled) : null,
            locked ? UtcTimestampConverter.ToWire(row.LockedUntil!.Value) : null,
            row.FailedLoginAttempts);
    }
}
