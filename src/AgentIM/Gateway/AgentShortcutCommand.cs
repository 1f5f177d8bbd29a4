using System.CommandLine;
using System.Security.Cryptography;
using AgentIM.Cli;
using AgentIM.Infrastructure;

namespace AgentIM.Gateway;

/// <summary>
/// <c>agentim claude|codex|gemini [DIR] [-n NAME] [-y]</c> (gateway-cli.md §3): one agent of that type working in DIR,
/// connected in the foreground in wrapper mode (§4.2): a gateway id of its own that tells the hub it is ephemeral;
/// it exits on a signal or when the hub removes the agent. The name defaults to <c>host_folder_type_XXXX</c>.
/// </summary>
public static class AgentShortcutCommand
{
    /// <summary>The three shortcuts, by command word.</summary>
    public static IEnumerable<Command> CreateAll() =>
    [
        Create("claude", AgentTypes.ClaudeCode, "Claude Code (the claude CLI)"),
        Create("codex", AgentTypes.Codex, "Codex (codex app-server)"),
        Create("gemini", AgentTypes.Gemini, "the Gemini CLI"),
    ];

    public static Command Create(string word, string agentType, string tool)
    {
        var directory = new Argument<string?>("dir")
        {
            Description = "The agent's working directory (default: the current one)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var name = new Option<string?>("--name", "-n") { Description = "The agent's name (default: host_folder_type_XXXX)" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Let the agent use every tool without asking the room (bypass)" };
        var passEnv = GatewayCommand.PassEnvOption();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log each connection step" };
        var command = new Command(word, $"Connect {tool} working in DIR to the hub as one agent, in the foreground");
        command.Arguments.Add(directory);
        command.Options.Add(name);
        command.Options.Add(yes);
        command.Options.Add(passEnv);
        command.Options.Add(verbose);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (fullDirectory, dirError) = WorkingDirectories.Resolve(parse.GetValue(directory) ?? ".");
            if (dirError is not null || fullDirectory is null)
            {
                Console.Error.WriteLine($"agentim: {dirError}");
                return ExitCodes.Usage;
            }

            if (parse.GetValue(name) is { } given && (given.Trim().Length == 0 || given.Length > 100))
            {
                Console.Error.WriteLine("agentim: the name must be 1-100 characters");
                return ExitCodes.Usage;
            }

            var store = GatewayConfigStore.FromEnvironment();
            if (GatewayCli.RequireLogin(store) is not { } settings)
            {
                return ExitCodes.Config;
            }

            var catalog = new AdapterCatalog(
                new Dictionary<string, CustomAdapter>(), null, GatewayCli.PassEnv(parse.GetValue(passEnv)), parse.GetValue(yes));
            using var loggers = GatewayCli.CreateLoggers(parse.GetValue(verbose));
            var (runtime, agent) = CreateRuntime(store, settings, catalog, agentType, fullDirectory, parse.GetValue(name), loggers,
                new HubLinkOptions());
            using var removed = new CancellationTokenSource();
            runtime.Host.AgentRemoved += _ => removed.Cancel();
            Console.Error.WriteLine(
                $"agentim: agent {agent.Registration.Name} ({agentType}) works in {fullDirectory}; Ctrl+C stops it");
            return await GatewayCli.RunUntilSignalAsync(runtime, cancellationToken, removed.Token);
        });
        return command;
    }

    /// <summary>
    /// A wrapper-mode gateway hosting one agent of <paramref name="agentType"/> in <paramref name="directory"/> (a fresh
    /// gateway id, ephemeral, agent ids not kept), not yet started.
    /// </summary>
    public static (GatewayRuntime Runtime, HostedAgent Agent) CreateRuntime(
        GatewayConfigStore store,
        GatewaySettings settings,
        AdapterCatalog catalog,
        string agentType,
        string directory,
        string? name,
        ILoggerFactory loggers,
        HubLinkOptions options)
    {
        var (wireType, adapter, error) = catalog.Create(agentType);
        if (wireType is null || adapter is null)
        {
            throw new ArgumentException(error, nameof(agentType));
        }

        var wrapper = options with { Ephemeral = true };
        var runtime = new GatewayRuntime(store, settings with { GatewayId = Ids.New() }, wrapper, catalog, loggers,
            persistentAgentIds: false, writeStatus: false);
        var agent = runtime.Host.Add(name ?? DefaultName(directory, wireType), wireType, directory, adapter);
        return (runtime, agent);
    }

    /// <summary>The real gateway's default: <c>host_folder_type_XXXX</c> with four hex digits.</summary>
    public static string DefaultName(string directory, string wireType)
    {
        var folder = Path.GetFileName(directory.TrimEnd('/'));
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
        return $"{Environment.MachineName}_{(folder.Length > 0 ? folder : "root")}_{wireType}_{suffix}";
    }
}
