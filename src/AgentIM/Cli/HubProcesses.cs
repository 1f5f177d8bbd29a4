namespace AgentIM.Cli;

/// <summary>Finds the running hubs on this machine: processes whose program is <c>agentim</c> and whose command is <c>serve</c>.</summary>
public static class HubProcesses
{
    /// <summary>Process ids of every running <c>agentim serve</c> but this process, lowest first.</summary>
    public static IReadOnlyList<int> Find()
    {
        var found = new List<int>();
        var self = Environment.ProcessId;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == self)
            {
                continue;
            }

            try
            {
                // argv, NUL-separated: the program's file name is agentim, and `serve` is its command.
                var argv = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                if (argv.Length >= 2 && Path.GetFileName(argv[0]) == "agentim" && CommandOf(argv) == "serve")
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        found.Sort();
        return found;
    }

    // The first argument that is neither the global --env-file option nor its value.
    private static string? CommandOf(string[] argv)
    {
        for (var i = 1; i < argv.Length; i++)
        {
            if (argv[i] == "--env-file")
            {
                i++;
                continue;
            }

            if (!argv[i].StartsWith("--env-file=", StringComparison.Ordinal))
            {
                return argv[i];
            }
        }

        return null;
    }
}
