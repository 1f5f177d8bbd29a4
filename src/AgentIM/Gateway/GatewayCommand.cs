using System.CommandLine;
using AgentIM.Cli;

namespace AgentIM.Gateway;

/// <summary>
/// <c>agentim gateway --agent NAME:TYPE[:DIR] …</c>: hosts several agents on this machine under the installation's
/// gateway id; each keeps its agent id across reconnects and restarts, and the hub may spawn more.
/// </summary>
public static class GatewayCommand
{
    /// <summary>The hidden option a detached gateway's re-executed child runs with.</summary>
    public const string DaemonChildOption = "--daemon-child";

    public static Command Create()
    {
        var agents = new Option<string[]>("--agent", "-a")
        {
            Description = "An agent to host: NAME:TYPE[:DIR] (TYPE: claude-code, codex, gemini, generic, or a name from "
                + "adapters.json); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var passEnv = PassEnvOption();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log each connection step" };
        var yes = new Option<bool>("--yes", "-y")
        {
            Description = "Let claude-code, codex and gemini agents use every tool without asking (bypass permissions)",
        };
        var detach = new Option<bool>("--detach", "-d")
        {
            Description = "Run in the background (logs in the config folder's logs/NAME.log); see agentim list, stop, rm",
        };
        var daemonName = new Option<string>("--name", "-n")
        {
            Description = "The background gateway's name for list, stop and rm (default: gateway)",
            DefaultValueFactory = _ => "gateway",
        };
        var daemonChild = new Option<bool>(DaemonChildOption) { Hidden = true };
        var command = new Command("gateway", "Connect this machine's agents to the hub you logged in to (runs until stopped)");
        command.Aliases.Add("daemon");
        command.Options.Add(agents);
        command.Options.Add(passEnv);
        command.Options.Add(verbose);
        command.Options.Add(yes);
        command.Options.Add(detach);
        command.Options.Add(daemonName);
        command.Options.Add(daemonChild);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var store = GatewayConfigStore.FromEnvironment();
            var name = parse.GetValue(daemonName) ?? "gateway";
            if (GatewayDaemon.CheckName(name) is { } nameProblem)
            {
                Console.Error.WriteLine($"agentim: --name: {nameProblem}");
                return ExitCodes.Usage;
            }

            if (parse.GetValue(detach))
            {
                return GatewayCli.RequireLogin(store) is null ? ExitCodes.Config : await GatewayDaemon.DetachAsync(store, name);
            }

            if (parse.GetValue(daemonChild))
            {
                GatewayDaemon.BecomeDaemon(store, name);
            }

            if (GatewayCli.RequireLogin(store) is not { } settings)
            {
                return ExitCodes.Config;
            }

            var passed = GatewayCli.PassEnv(parse.GetValue(passEnv));
            var catalog = new AdapterCatalog(store.CustomAdapters(), null, passed, parse.GetValue(yes));
            using var loggers = GatewayCli.CreateLoggers(parse.GetValue(verbose));
            var runtime = new GatewayRuntime(store, settings with { GatewayId = store.GatewayId() }, new HubLinkOptions(), catalog, loggers,
                persistentAgentIds: true);
            foreach (var text in parse.GetValue(agents) ?? [])
            {
                if (AddAgent(runtime, catalog, text) is { } problem)
                {
                    Console.Error.WriteLine($"agentim: --agent {text}: {problem}");
                    return ExitCodes.Usage;
                }
            }

            return await GatewayCli.RunUntilSignalAsync(runtime, cancellationToken);
        });
        return command;
    }

    public static Option<string[]> PassEnvOption() => new("--pass-env")
    {
        Description = "Let these secret-looking variables reach the agents (K1,K2); the hub's own secrets never pass",
    };

    /// <summary>Adds one <c>NAME:TYPE[:DIR]</c> agent; the reason when it cannot be hosted.</summary>
    public static string? AddAgent(GatewayRuntime runtime, AdapterCatalog catalog, string text)
    {
        if (AgentSpec.Parse(text) is not { } spec)
        {
            return "expected NAME:TYPE[:DIR]";
        }

        var (wireType, adapter, error) = catalog.Create(spec.Type);
        if (adapter is null || wireType is null)
        {
            return error;
        }

        if (WorkingDirectories.Resolve(spec.WorkingDirectory).Error is { } dirError)
        {
            return dirError;
        }

        runtime.Host.Add(spec.Name, wireType, spec.WorkingDirectory, adapter);
        return null;
    }
}
