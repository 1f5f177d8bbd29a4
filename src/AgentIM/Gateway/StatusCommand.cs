using System.CommandLine;
using AgentIM.Cli;

namespace AgentIM.Gateway;

/// <summary><c>agentim status</c>: the hub this machine is logged in to, whether a gateway runs, and its agents.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show the hub, user, gateway connection and hosted agents of this machine");
        command.SetAction(_ =>
        {
            var store = GatewayConfigStore.FromEnvironment();
            if (store.LoadSettings() is not { } settings)
            {
                Console.WriteLine("Not logged in (run `agentim login`).");
                return ExitCodes.Config;
            }

            Console.WriteLine($"Server:     {settings.ServerBaseUrl}");
            Console.WriteLine($"User:       {settings.Username ?? "(unknown)"}");
            Console.WriteLine($"Gateway id: {settings.GatewayId}");
            if (store.RevokedAt() is { } revoked)
            {
                Console.WriteLine($"Session:    revoked since {revoked:yyyy-MM-dd HH:mm} UTC; run `agentim login` again");
            }

            var status = store.LoadStatus();
            var running = status is not null && ProcessTree.IsAlive(status.Pid) && status.State != nameof(LinkState.Stopped);
            Console.WriteLine(running
                ? $"Gateway:    running (pid {status!.Pid}), connection {status.State.ToLowerInvariant()}"
                : "Gateway:    not running");
            var live = running ? status!.Agents.ToDictionary(a => a.Id) : [];
            var known = store.KnownAgents();
            if (known.Count == 0 && live.Count == 0)
            {
                Console.WriteLine("Agents:     none");
                return ExitCodes.Ok;
            }

            Console.WriteLine("Agents:");
            var all = known.Select(a => (a.Id, a.Name, a.Type))
                .Concat(live.Values.Select(a => (a.Id, a.Name, a.Type)))
                .DistinctBy(a => a.Id);
            foreach (var agent in all)
            {
                var state = live.TryGetValue(agent.Id, out var entry)
                    ? entry.QueueDepth > 0 ? $"{entry.Status}, {entry.QueueDepth} queued" : entry.Status
                    : "offline";
                Console.WriteLine($"  {agent.Name,-24} {agent.Type,-12} {state,-16} {agent.Id}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
