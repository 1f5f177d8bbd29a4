using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using AgentIM.Infrastructure.Config;

namespace AgentIM.Cli;

/// <summary>The <c>agentim</c> command tree. Each command lives in its own file.</summary>
public static class CommandLine
{
    /// <summary>Read KEY=VALUE lines from this file before the environment (the environment wins).</summary>
    public static readonly Option<FileInfo?> EnvFileOption = new("--env-file")
    {
        Description = "Read settings from this KEY=VALUE file; variables already set in the environment win",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("AgentIM hub: people and AI coding agents chatting in rooms, in one binary.");
        root.Options.Add(EnvFileOption);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(UserCommand.Create());
        root.Subcommands.Add(CapacityCommand.Create());
        AgentIM.Gateway.GatewayCommands.AddTo(root);
        return root;
    }

    /// <summary>
    /// Parses and runs one command line. A command line that does not parse (unknown command, missing or malformed
    /// option) prints the reason and the help, and exits 2 (usage) rather than System.CommandLine's 1, which here
    /// means bad configuration (and, for <c>capacity check</c>, a warning).
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        var exitCode = await parse.InvokeAsync();
        return parse.Errors.Count > 0 ? ExitCodes.Usage : exitCode;
    }

    /// <summary>
    /// Loads the configuration, or prints the one line that says which variable is wrong. Commands that only work on
    /// the database pass <paramref name="checkSecrets"/> false: production's JWT_SECRET/ENCRYPTION_KEY rules are the
    /// server's, and an admin running <c>agentim user list</c> should not be told about them.
    /// </summary>
    public static HubConfig? LoadConfig(ParseResult parse, bool checkSecrets = true)
    {
        try
        {
            var file = parse.GetValue(EnvFileOption);
            if (file is not null && !file.Exists)
            {
                throw new ConfigException("--env-file", $"names a file that does not exist: {file.FullName}");
            }

            return HubConfig.FromEnvironment(EnvFile.Load(file?.FullName), checkSecrets);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"agentim: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// A parser for a whole-number option whose error names the option and the value a person typed, rather than
    /// the CLR type ("Cannot parse argument … as expected type 'System.Int32'").
    /// </summary>
    public static Func<ArgumentResult, int> WholeNumber(string option) => result =>
    {
        var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{option} takes a whole number, not '{token}'");
        return 0;
    };

    /// <summary>
    /// The one line for a database the command could not use: what PostgreSQL said, plus the likely cause when it is
    /// plain (no DATABASE_URL set anywhere, or a database that was never migrated).
    /// </summary>
    public static string DatabaseProblem(HubConfig config, Exception e)
    {
        var said = e.Message.ReplaceLineEndings(" ");
        if (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UndefinedTable })
        {
            return "agentim: the database at DATABASE_URL has no AgentIM tables yet; run `agentim migrate` first";
        }

        return !string.IsNullOrWhiteSpace(config.Environment.GetValueOrDefault("DATABASE_URL"))
            ? $"agentim: cannot use the database at DATABASE_URL: {said}"
            : $"agentim: cannot use the database: {said} (DATABASE_URL is not set, so {HubConfig.DefaultDatabaseUrl} was tried; "
                + "set DATABASE_URL or pass --env-file /etc/agentim/agentim.env)";
    }
}
