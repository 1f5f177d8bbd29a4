using System.Runtime.InteropServices;
using System.Text;
using AgentIM.Cli;

namespace AgentIM.Gateway;

/// <summary>What the gateway commands share: the config folder, console logging, signals and the hidden prompt.</summary>
public static class GatewayCli
{
    public static ILoggerFactory CreateLoggers(bool verbose) => LoggerFactory.Create(logging =>
    {
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
    });

    /// <summary>The saved login, or null after a one-line message saying to log in.</summary>
    public static GatewaySettings? RequireLogin(GatewayConfigStore store)
    {
        if (store.LoadSettings() is { } settings)
        {
            return settings;
        }

        Console.Error.WriteLine($"agentim: not logged in (no {store.ConfigPath}); run `agentim login -s URL -u USER` first");
        return null;
    }

    /// <summary>Runs a gateway until SIGINT, SIGTERM or SIGHUP (or a token fires), then shuts it down cleanly.</summary>
    public static async Task<int> RunUntilSignalAsync(
        GatewayRuntime runtime, CancellationToken cancellationToken, CancellationToken exitWhen = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, exitWhen);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        var run = runtime.RunAsync(stop.Token);
        var fatal = WatchFatalAsync(runtime, stop);
        await run;
        await fatal;
        if (runtime.Link.FatalError is { } error)
        {
            Console.Error.WriteLine($"agentim: {error}");
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }

    /// <summary>Reads a line from the terminal without echoing it; null on end of input.</summary>
    public static string? ReadHidden(string label)
    {
        Console.Error.Write(label);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }

                continue;
            }

            if (key.KeyChar == '\u0004' && text.Length == 0)
            {
                Console.Error.WriteLine();
                return null;
            }

            if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }

    /// <summary>Splits <c>--pass-env A,B</c> values into names.</summary>
    public static IReadOnlyCollection<string> PassEnv(IEnumerable<string>? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static async Task WatchFatalAsync(GatewayRuntime runtime, CancellationTokenSource stop)
    {
        try
        {
            while (runtime.Link.FatalError is null)
            {
                await Task.Delay(200, stop.Token);
            }

            await stop.CancelAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }
}
