using System.CommandLine;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Cli;

/// <summary><c>agentim migrate [--status]</c>: apply the embedded schema migrations, or list them.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var status = new Option<bool>("--status") { Description = "List the migrations and whether each is applied; change nothing" };
        var command = new Command(
            "migrate", "Apply the database migrations embedded in this binary (safe to run twice, or from two hosts at once)");
        command.Options.Add(status);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, parse.GetValue(status), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, bool statusOnly, CancellationToken cancellationToken)
    {
        if (CommandLine.LoadConfig(parse, checkSecrets: false) is not { } config)
        {
            return ExitCodes.Config;
        }

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        await using var database = new HubDatabase(ConnectionStrings.ToNpgsql(config.DatabaseUrl, 2));
        var migrator = new Migrator(database, loggers.CreateLogger<Migrator>());
        try
        {
            if (!statusOnly)
            {
                var applied = await migrator.MigrateAsync(cancellationToken);
                Console.WriteLine(applied == 0 ? "Schema is up to date." : $"Applied {applied} migration(s).");
                return ExitCodes.Ok;
            }

            foreach (var migration in await migrator.StatusAsync(cancellationToken))
            {
                var state = migration.AppliedAt is { } at ? $"applied {UtcTimestampConverter.ToWire(at)}" : "pending";
                Console.WriteLine($"{migration.Version}  {migration.Name,-30} {state}");
            }

            return ExitCodes.Ok;
        }
        catch (Exception e) when (DbErrors.IsUnavailable(e) || e is Npgsql.NpgsqlException)
        {
            await Console.Error.WriteLineAsync(CommandLine.DatabaseProblem(config, e));
            return ExitCodes.DatabaseUnavailable;
        }
    }
}
