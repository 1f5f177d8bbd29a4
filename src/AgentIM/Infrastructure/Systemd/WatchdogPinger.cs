using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;

namespace AgentIM.Infrastructure.Systemd;

/// <summary>
/// Sends WATCHDOG=1 at half of WATCHDOG_USEC when systemd asks for it (WatchdogSec= in the unit).
/// Microsoft.Extensions.Hosting.Systemd sends READY and STOPPING but no watchdog pings (decisions.md).
/// The pings ride the thread pool, so a hub whose thread pool is starved or deadlocked stops pinging and
/// systemd restarts it.
/// </summary>
public sealed class WatchdogPinger(ISystemdNotifier notifier) : BackgroundService
{
    private static readonly ServiceState Ping = new("WATCHDOG=1");

    /// <summary>The ping interval systemd asked for, or null when no watchdog is configured for this process.</summary>
    public static TimeSpan? Interval()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros <= 0)
        {
            return null;
        }

        // WATCHDOG_PID, when set, names the process the watchdog is meant for.
        if (pid is not null && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromTicks(micros * 10 / 2);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled || Interval() is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        notifier.Notify(Ping);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            notifier.Notify(Ping);
        }
    }
}
