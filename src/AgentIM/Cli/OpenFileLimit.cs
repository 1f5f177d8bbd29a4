using System.Runtime.InteropServices;

namespace AgentIM.Cli;

/// <summary>The process's open-file limit (RLIMIT_NOFILE) read with getrlimit from libc; a direct P/Invoke, AOT-safe.</summary>
public static class OpenFileLimit
{
    private const int RlimitNofile = 7; // Linux

    /// <summary>The soft limit (what ulimit -n shows), or null when it cannot be read.</summary>
    public static ulong? Soft() => GetResourceLimit(RlimitNofile, out var limit) == 0 ? limit.Current : null;

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetResourceLimit(int resource, out ResourceLimit limit);
}
