using System.CommandLine;
using AgentIM.Uploads;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentIM.Cli;

/// <summary><c>agentim user delete NAME</c>.</summary>
public static class UserDeleteCommand
{
    public static Command Create()
    {
        var username = UserCli.UsernameArgument();
        var command = new Command("delete", "Delete a user and everything that cascades with it (the last active admin stays)");
        command.Arguments.Add(username);
        command.SetAction((parse, cancellationToken) =>
        {
            var name = parse.GetValue(username)!;
            return UserCli.RunAsync(parse, async (admin, config) =>
            {
                var uploads = new UploadStorage(config, NullLogger<UploadStorage>.Instance);
                return UserCli.Report(await admin.DeleteAsync(name, cancellationToken, uploads), name, $"'{name}' is deleted.");
            });
        });
        return command;
    }
}
