using System.CommandLine;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;

namespace AgentIM.Cli;

/// <summary><c>agentim serve</c>: migrate (unless RUN_MIGRATIONS=false), seed the admin, listen.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the hub: HTTP API, WebSockets and metrics on HOST:PORT");
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (CommandLine.LoadConfig(parse) is not { } config)
        {
            return ExitCodes.Config;
        }

        WebApplication app;
        try
        {
            app = HubServer.Build(config);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"agentim: {e.Message}");
            return ExitCodes.Config;
        }

        await using (app)
        {
            try
            {
                await HubServer.PrepareAsync(app, cancellationToken);
            }
            catch (Exception e) when (DbErrors.IsUnavailable(e) || e is Npgsql.NpgsqlException)
            {
                await Console.Error.WriteLineAsync($"agentim: cannot use the database at DATABASE_URL: {e.Message}");
                return ExitCodes.DatabaseUnavailable;
            }

            await app.RunAsync(cancellationToken);
        }

        return ExitCodes.Ok;
    }
}
