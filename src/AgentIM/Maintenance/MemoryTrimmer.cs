using AgentIM.Metrics;

namespace AgentIM.Maintenance;

/// <summary>
/// Gives back to the system the memory a burst leaves behind. Between collections the managed heap holds the garbage
/// of whatever just happened (a thousand sockets opening leave about 8 KB each), and a quiet hub may not allocate
/// enough to collect it for hours, so its resident size stays at the peak. Once a second this looks at how much the
/// process has allocated; after at least <see cref="MemoryTrimPolicy.TrimAfterBytes"/> since the last trim, the first
/// quiet second (less than <see cref="MemoryTrimPolicy.QuietBytesPerTick"/> allocated in it) runs one blocking,
/// compacting, aggressive collection, which also returns the freed regions to the system. Under steady traffic the
/// hub is never quiet and the GC works as usual; a quiet hub needs 16 s or more to allocate enough for another trim.
/// </summary>
public sealed class MemoryTrimmer(ILogger<MemoryTrimmer> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var policy = new MemoryTrimPolicy();
        using var timer = new PeriodicTimer(Tick);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!policy.ShouldTrim(GC.GetTotalAllocatedBytes()))
            {
                continue;
            }

            var logged = logger.IsEnabled(LogLevel.Debug);
            var before = logged ? ProcessStats.ResidentBytes() : 0;
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            policy.Trimmed(GC.GetTotalAllocatedBytes());
            if (logged)
            {
                MaintenanceLog.MemoryTrimmed(logger, before / 1_000_000.0, ProcessStats.ResidentBytes() / 1_000_000.0);
            }
        }
    }
}

/// <summary>When <see cref="MemoryTrimmer"/> collects: fed the process's total allocated bytes once per tick.</summary>
public sealed class MemoryTrimPolicy
{
    /// <summary>A tick that allocated less than this is quiet (a chat hub at a few messages a second allocates far less).</summary>
    public const long QuietBytesPerTick = 256 * 1024;

    /// <summary>What must have been allocated since the last trim (or start) before another is worth its pause.</summary>
    public const long TrimAfterBytes = 4 * 1024 * 1024;

    private long? _lastSeen;
    private long _lastTrim;

    /// <summary>True when this tick was quiet and enough has been allocated since the last trim.</summary>
    public bool ShouldTrim(long totalAllocated)
    {
        var quiet = _lastSeen is { } last && totalAllocated - last < QuietBytesPerTick;
        _lastSeen = totalAllocated;
        return quiet && totalAllocated - _lastTrim >= TrimAfterBytes;
    }

    /// <summary>Records a trim; <paramref name="totalAllocated"/> is read after it.</summary>
    public void Trimmed(long totalAllocated)
    {
        _lastTrim = totalAllocated;
        _lastSeen = totalAllocated;
    }
}
