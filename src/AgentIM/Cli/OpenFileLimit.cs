using System.Runtime.InteropServices;

namespace AgentIM.Cli;

/// <summary>The process's open-file limit (RLIMIT_NOFILE) read with getrlimit from libc; a direct P/Invoke, AOT-safe.</summary>
public static class OpenFileLimit
{
    private const int RlimitNofile = 7; // Linux

    /// <summary>The soft limit (what ulimit -n shows), or null when it cannot be read.</summary>
    public static ulong? Soft() => GetResourceLimit(RlimitNofile, out var limit) == 0 ? limit.Current : null;

    /// <summary>
    /// The soft limit of another process, from <c>/proc/PID/limits</c> (readable by every user); null when there is
    /// no such process or the line cannot be read. "unlimited" reads as <see cref="ulong.MaxValue"/>.
    /// </summary>
    public static ulong? SoftOf(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/limits"))
            {
                if (!line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    continue;
                }

                var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return soft == "unlimited" ? ulong.MaxValue
                    : ulong.TryParse(soft, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process ended, or /proc is not there.
        }

        return null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetResourceLimit(int resource, out ResourceLimit limit);
}
