using System.CommandLine;
using System.CommandLine.Parsing;
using AgentIM.Cli;
using AgentIM.Infrastructure;

namespace AgentIM.Gateway;

/// <summary>
/// <c>agentim run [DIR] -- CMD [ARGS…]</c>: one generic agent in the foreground (wrapper mode, gateway-cli.md §4.2):
/// a gateway id of its own that tells the hub it is ephemeral; it exits when the hub removes the agent.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var words = new Argument<string[]>("args") { Description = "[DIR] -- CMD [ARGS…]", Arity = ArgumentArity.ZeroOrMore };
        var name = new Option<string?>("--name", "-n") { Description = "The agent's name (default: host_folder_generic_XXXX)" };
        var promptArg = new Option<bool>("--prompt-arg")
        {
            Description = "Give the prompt as the last argument instead of on standard input",
        };
        var passEnv = GatewayCommand.PassEnvOption();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log each connection step" };
        var command = new Command("run", "Run one command as an agent in the hub, in the foreground: agentim run [DIR] -- CMD [ARGS…]");
        command.Arguments.Add(words);
        command.Options.Add(name);
        command.Options.Add(promptArg);
        command.Options.Add(passEnv);
        command.Options.Add(verbose);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (directory, commandLine) = Split(parse);
            if (commandLine.Count == 0)
            {
                Console.Error.WriteLine("agentim: give the command after --, e.g. agentim run ./project -- ./my-agent.sh --flag");
                return ExitCodes.Usage;
            }

            if (GenericAdapterOptions.CheckCommand(commandLine[0]) is { } problem)
            {
                Console.Error.WriteLine($"agentim: {problem}");
                return ExitCodes.Usage;
            }

            var (fullDirectory, dirError) = WorkingDirectories.Resolve(directory ?? ".");
            if (dirError is not null)
            {
                Console.Error.WriteLine($"agentim: {dirError}");
                return ExitCodes.Usage;
            }

            var store = GatewayConfigStore.FromEnvironment();
            if (GatewayCli.RequireLogin(store) is not { } settings)
            {
                return ExitCodes.Config;
            }

            var generic = new GenericAdapterOptions(commandLine[0], [.. commandLine.Skip(1)])
            {
                PromptOnStdin = !parse.GetValue(promptArg),
            };
            var catalog = new AdapterCatalog(new Dictionary<string, CustomAdapter>(), generic, GatewayCli.PassEnv(parse.GetValue(passEnv)));
            using var loggers = GatewayCli.CreateLoggers(parse.GetValue(verbose));
            var wrapper = new HubLinkOptions { Ephemeral = true };
            var runtime = new GatewayRuntime(store, settings with { GatewayId = Ids.New() }, wrapper, catalog, loggers,
                persistentAgentIds: false, writeStatus: false);
            var agentName = parse.GetValue(name)
                ?? $"{Environment.MachineName}_{Path.GetFileName(fullDirectory!.TrimEnd('/'))}_generic_{Ids.New(4)}";
            runtime.Host.Add(agentName, AgentTypes.Generic, fullDirectory, catalog.Create(AgentTypes.Generic).Adapter!);
            using var removed = new CancellationTokenSource();
            runtime.Host.AgentRemoved += _ => removed.Cancel();
            Console.Error.WriteLine(
                $"agentim: agent {agentName} runs `{string.Join(' ', commandLine)}` in {fullDirectory}; Ctrl+C stops it");
            return await GatewayCli.RunUntilSignalAsync(runtime, cancellationToken, removed.Token);
        });
        return command;
    }

    /// <summary>The directory (before <c>--</c>) and the command (after it).</summary>
    private static (string? Directory, List<string> Command) Split(ParseResult parse)
    {
        var before = new List<string>();
        var after = new List<string>();
        var seenDash = false;
        var seenRun = false;
        foreach (var token in parse.Tokens)
        {
            if (!seenRun)
            {
                seenRun = token.Type == TokenType.Command && token.Value == "run";
                continue;
            }

            if (token.Type == TokenType.DoubleDash)
            {
                seenDash = true;
                continue;
            }

            if (token.Type == TokenType.Argument)
            {
                (seenDash ? after : before).Add(token.Value);
            }
        }

        return (before.FirstOrDefault(), after);
    }
}
