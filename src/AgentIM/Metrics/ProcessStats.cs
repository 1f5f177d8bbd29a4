using System.Globalization;

namespace AgentIM.Metrics;

/// <summary>Memory of this process: the managed heap (our process_heap_bytes) and the resident set from /proc.</summary>
public static class ProcessStats
{
    public static long HeapBytes() => GC.GetTotalMemory(false);

    public static long ResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or /proc is hidden: fall through.
        }

        return Environment.WorkingSet;
    }
}
