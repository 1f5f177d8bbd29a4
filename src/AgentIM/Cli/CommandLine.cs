using System.CommandLine;
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

    /// <summary>Loads the configuration, or prints the one line that says which variable is wrong.</summary>
    public static HubConfig? LoadConfig(ParseResult parse)
    {
        try
        {
            var file = parse.GetValue(EnvFileOption);
            if (file is not null && !file.Exists)
            {
                throw new ConfigException("--env-file", $"names a file that does not exist: {file.FullName}");
            }

            return HubConfig.FromEnvironment(EnvFile.Load(file?.FullName));
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"agentim: {e.Message}");
            return null;
        }
    }
}
