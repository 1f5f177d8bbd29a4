using System.CommandLine;
using AgentIM.Cli;

namespace AgentIM.Gateway;

/// <summary>
/// <c>agentim list|ls</c>, <c>agentim stop NAME</c> and <c>agentim rm NAME</c>: the detached gateways recorded in the
/// daemons folder (gateway-cli.md §2–3). Stop sends SIGTERM (the gateway shuts down cleanly) and SIGKILL after a grace
/// period; rm stops it if needed and removes its record, status and logs.
/// </summary>
public static class DaemonCommands
{
    /// <summary>How long stop waits for a clean exit before SIGKILL.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);

    public static IEnumerable<Command> Create()
    {
        var list = new Command("list", "List the gateways running in the background (agentim gateway -d)");
        list.Aliases.Add("ls");
        list.SetAction(_ =>
        {
            var daemons = GatewayConfigStore.FromEnvironment().Daemons();
            if (daemons.Count == 0)
            {
                Console.WriteLine("No background gateways (start one with `agentim gateway -d -a NAME:TYPE[:DIR]`).");
                return ExitCodes.Ok;
            }

            Console.WriteLine($"{"NAME",-20} {"STATE",-8} {"PID",-8} {"STARTED (UTC)",-17} LOG");
            foreach (var daemon in daemons)
            {
                var state = ProcessTree.IsAlive(daemon.Pid) ? "running" : "stopped";
                Console.WriteLine($"{daemon.Name,-20} {state,-8} {daemon.Pid,-8} {daemon.StartedAt:yyyy-MM-dd HH:mm} {daemon.LogFile}");
            }

            return ExitCodes.Ok;
        });

        var stopName = new Argument<string>("name") { Description = "The background gateway's name (see agentim list)" };
        var stop = new Command("stop", "Stop a background gateway");
        stop.Arguments.Add(stopName);
        stop.SetAction(async (parse, _) => await StopAsync(parse.GetValue(stopName)!, remove: false));

        var rmName = new Argument<string>("name") { Description = "The background gateway's name (see agentim list)" };
        var rm = new Command("rm", "Stop a background gateway if it runs and remove its record and logs");
        rm.Arguments.Add(rmName);
        rm.SetAction(async (parse, _) => await StopAsync(parse.GetValue(rmName)!, remove: true));
        return [list, stop, rm];
    }

    private static async Task<int> StopAsync(string name, bool remove)
    {
        var store = GatewayConfigStore.FromEnvironment();
        if (store.LoadDaemon(name) is not { } daemon)
        {
            Console.Error.WriteLine($"agentim: no background gateway named {name} (see agentim list)");
            return ExitCodes.NotFound;
        }

        if (ProcessTree.IsAlive(daemon.Pid))
        {
            ProcessTree.Signal(daemon.Pid, ProcessTree.SigTerm);
            var deadline = DateTime.UtcNow + StopGrace;
            while (ProcessTree.IsAlive(daemon.Pid) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, CancellationToken.None);
            }

            if (ProcessTree.IsAlive(daemon.Pid))
            {
                ProcessTree.Signal(daemon.Pid, ProcessTree.SigKill);
            }

            Console.WriteLine($"Stopped {name} (pid {daemon.Pid}).");
        }
        else if (!remove)
        {
            Console.WriteLine($"{name} is not running.");
        }

        if (remove)
        {
            foreach (var path in new[] { store.DaemonPath(name), Path.ChangeExtension(store.DaemonPath(name), ".status.json"),
                daemon.LogFile, daemon.LogFile + ".1" })
            {
                try
                {
                    File.Delete(path);
                }
                catch (DirectoryNotFoundException)
                {
                    // Never created (the gateway did not get as far as logging).
                }
            }

            Console.WriteLine($"Removed {name}.");
        }

        return ExitCodes.Ok;
    }
}
