using System.Diagnostics;
using AgentIM.Cli;

namespace AgentIM.Gateway;

/// <summary>
/// <c>agentim gateway -d</c>: the gateway re-executes itself without <c>-d</c> as a child in a session of its own (no
/// terminal, no shell), records it in <c>daemons/&lt;name&gt;.json</c>, and returns. The child sends its output to
/// <c>logs/&lt;name&gt;.log</c>, rotated at 10 MiB.
/// </summary>
public static class GatewayDaemon
{
    /// <summary>How long the parent watches the child before saying it started.</summary>
    private static readonly TimeSpan StartCheck = TimeSpan.FromSeconds(1.5);

    /// <summary>Why a daemon name cannot be used (it names files), or null.</summary>
    public static string? CheckName(string name) =>
        name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || name.StartsWith('.')
            ? "use 1–64 letters, digits, '-', '_' or '.' (not starting with '.')"
            : null;

    public static async Task<int> DetachAsync(GatewayConfigStore store, string name)
    {
        if (store.LoadDaemon(name) is { } existing && ProcessTree.IsAlive(existing.Pid))
        {
            Console.Error.WriteLine(
                $"agentim: a background gateway named {name} already runs (pid {existing.Pid}); stop it or pick another --name");
            return ExitCodes.Conflict;
        }

        if (Environment.ProcessPath is not { } self)
        {
            Console.Error.WriteLine("agentim: cannot tell this program's path to start it in the background");
            return ExitCodes.Failed;
        }

        var arguments = Environment.GetCommandLineArgs().Skip(1).Where(a => a is not ("-d" or "--detach")).ToList();
        arguments.Add(GatewayCommand.DaemonChildOption);
        var start = new ProcessStartInfo(self)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start);
        if (child is null)
        {
            Console.Error.WriteLine("agentim: the background gateway did not start");
            return ExitCodes.Failed;
        }

        // The child logs to its file; nothing flows through these pipes, and it must not wait on a closed terminal.
        child.StandardInput.Close();
        var log = store.LogPath(name);
        store.SaveDaemon(new DaemonRecord(name, child.Id, DateTime.UtcNow, arguments, log));
        using var check = new CancellationTokenSource(StartCheck);
        try
        {
            await child.WaitForExitAsync(check.Token);
            Console.Error.WriteLine($"agentim: the background gateway exited at once with {child.ExitCode}; see {log}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine(
                $"Gateway {name} runs in the background (pid {child.Id}); logs in {log}. Stop it with `agentim stop {name}`.");
            return ExitCodes.Ok;
        }
    }

    /// <summary>In the re-executed child: leaves the parent's session and sends all output to the rotating log.</summary>
    public static void BecomeDaemon(GatewayConfigStore store, string name)
    {
        ProcessTree.StartNewSession();
        var log = TextWriter.Synchronized(new RotatingLogWriter(store.LogPath(name)));
        Console.SetOut(log);
        Console.SetError(log);
        Console.WriteLine($"--- gateway {name} started at {DateTime.UtcNow:O} (pid {Environment.ProcessId})");
    }
}
