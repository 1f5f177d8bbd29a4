using System.CommandLine;
using System.Net.WebSockets;
using System.Text.Json;
using AgentIM.Infrastructure.Config;

namespace AgentIM.Cli;

/// <summary>
/// <c>agentim capacity probe [--url URL] [--sockets N] [--clients C] [--seconds S] [--hub-pid PID] [--json]</c>:
/// measures a running hub on this machine (loopback only) and prints the figures beside the targets of issue #4.
/// The admin's name and password come from <c>ADMIN_USERNAME</c>/<c>ADMIN_PASSWORD</c> (or --env-file), the name
/// also from --admin-username, the password also from the first line of standard input with --password-stdin.
/// Exits 0 when the run completed (whether or not the targets were met), 2 on bad usage or a URL that is not
/// loopback, 4 when the hub refused a step or went away.
/// </summary>
public static class CapacityProbeCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url")
        {
            Description = "The hub to measure; only loopback addresses are accepted",
            DefaultValueFactory = _ => "http://127.0.0.1:3000",
        };
        var adminUsername = new Option<string?>("--admin-username")
        {
            Description = "The admin to log in as (default: ADMIN_USERNAME, else admin)",
        };
        var passwordStdin = new Option<bool>("--password-stdin")
        {
            Description = "Read the admin password from standard input instead of ADMIN_PASSWORD",
        };
        var sockets = new Option<int>("--sockets")
        {
            Description = "Idle authenticated client sockets to open",
            DefaultValueFactory = _ => 1000,
        };
        var clients = new Option<int>("--clients")
        {
            Description = "Clients in the loaded room, all sending",
            DefaultValueFactory = _ => 50,
        };
        var seconds = new Option<double>("--seconds") { Description = "Length of the measured load", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup")
        {
            Description = "Load before measuring starts, in seconds",
            DefaultValueFactory = _ => 2,
        };
        var inFlight = new Option<int>("--in-flight")
        {
            Description = "Messages each client keeps on their way",
            DefaultValueFactory = _ => 1,
        };
        var settle = new Option<double>("--settle") { Description = "Seconds to wait before reading RSS", DefaultValueFactory = _ => 3 };
        var hubPid = new Option<int?>("--hub-pid") { Description = "Read the hub's RSS from /proc/PID/status instead of /api/metrics" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };

        var command = new Command(
            "probe", "Measure a running hub on loopback: RSS idle and with N sockets, throughput and latency of one busy room");
        Option[] options = [url, adminUsername, passwordStdin, sockets, clients, seconds, warmup, inFlight, settle, hubPid, json];
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyDictionary<string, string> environment;
            try
            {
                var file = parse.GetValue(CommandLine.EnvFileOption);
                environment = EnvFile.Load(file is { Exists: true } ? file.FullName : null);
            }
            catch (ConfigException e)
            {
                await Console.Error.WriteLineAsync($"agentim: {e.Message}");
                return ExitCodes.Usage;
            }

            var password = parse.GetValue(passwordStdin) ? Console.In.ReadLine() : environment.GetValueOrDefault("ADMIN_PASSWORD");
            if (string.IsNullOrEmpty(password))
            {
                await Console.Error.WriteLineAsync("agentim: the admin password is needed: set ADMIN_PASSWORD or pass --password-stdin");
                return ExitCodes.Usage;
            }

            if (parse.GetValue(sockets) < 1 || parse.GetValue(clients) < 2 || parse.GetValue(seconds) <= 0 || parse.GetValue(warmup) < 0
                || parse.GetValue(inFlight) < 1 || parse.GetValue(settle) < 0)
            {
                await Console.Error.WriteLineAsync(
                    "agentim: --sockets must be at least 1, --clients at least 2, --seconds above 0, --in-flight at least 1, "
                    + "--warmup and --settle not negative");
                return ExitCodes.Usage;
            }

            Uri hub;
            try
            {
                hub = CapacityProbe.RequireLoopback(parse.GetValue(url)!);
            }
            catch (CapacityProbeException e)
            {
                await Console.Error.WriteLineAsync($"agentim: {e.Message}");
                return ExitCodes.Usage;
            }

            var options = new CapacityProbeOptions
            {
                HubUrl = hub,
                AdminUsername = parse.GetValue(adminUsername) ?? environment.GetValueOrDefault("ADMIN_USERNAME") ?? "admin",
                AdminPassword = password,
                Sockets = parse.GetValue(sockets),
                Clients = parse.GetValue(clients),
                LoadSeconds = parse.GetValue(seconds),
                WarmupSeconds = parse.GetValue(warmup),
                InFlight = parse.GetValue(inFlight),
                SettleSeconds = parse.GetValue(settle),
                HubPid = parse.GetValue(hubPid),
            };

            try
            {
                var report = await new CapacityProbe(options, Console.Error).RunAsync(cancellationToken);
                Console.Write(parse.GetValue(json)
                    ? JsonSerializer.Serialize(report, CapacityProbeReportJson.Default.CapacityProbeReport) + "\n"
                    : report.ToTable());
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is CapacityProbeException or HttpRequestException or WebSocketException or IOException)
            {
                await Console.Error.WriteLineAsync($"agentim: capacity probe failed: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
