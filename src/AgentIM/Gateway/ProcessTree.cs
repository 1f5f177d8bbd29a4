using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AgentIM.Gateway;

/// <summary>
/// Ends a spawned agent with everything it started: SIGTERM to the whole tree (read from /proc), then SIGKILL to
/// whatever is left after the grace period. A direct P/Invoke of libc's kill, AOT-safe.
/// </summary>
public static class ProcessTree
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    public static async Task TerminateAsync(Process process, TimeSpan grace)
    {
        int root;
        try
        {
            if (process.HasExited)
            {
                return;
            }

            root = process.Id;
        }
        catch (InvalidOperationException)
        {
            return;
        }

        var tree = Descendants(root);
        tree.Insert(0, root);
        foreach (var pid in tree)
        {
            _ = Kill(pid, SigTerm);
        }

        using var wait = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // It ignored SIGTERM: SIGKILL below.
        }

        // Children may outlive their parent's exit: kill what is left of the tree as it was, and anything new.
        var left = tree.Concat(Descendants(root)).Distinct();
        foreach (var pid in left)
        {
            if (IsAlive(pid))
            {
                _ = Kill(pid, SigKill);
            }
        }
    }

    /// <summary>The pids below <paramref name="root"/>, parents before children.</summary>
    public static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || ParentOf(pid) is not { } parent)
            {
                continue;
            }

            if (!parents.TryGetValue(parent, out var children))
            {
                parents[parent] = children = [];
            }

            children.Add(pid);
        }

        var result = new List<int>();
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var next))
        {
            foreach (var child in parents.GetValueOrDefault(next) ?? [])
            {
                result.Add(child);
                pending.Enqueue(child);
            }
        }

        return result;
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state.Length > 0 && state[0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so parse after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 1 && int.TryParse(fields[1], out var parent) ? parent : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Sends a signal to one process; false when it failed (no such process, not ours).</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>Makes this process the leader of a new session, without a controlling terminal (a detached gateway).</summary>
    public static bool StartNewSession() => SetSid() >= 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "setsid", SetLastError = true)]
    private static extern int SetSid();
}
