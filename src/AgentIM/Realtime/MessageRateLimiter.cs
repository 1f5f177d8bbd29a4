using System.Collections.Concurrent;
using AgentIM.Redis;

namespace AgentIM.Realtime;

/// <summary>
/// The per-user fixed window on client frames (websocket.md §2.1 step 7): all of a user's sockets share it.
/// With Redis the window is shared by every node (<c>ws:rate:&lt;userId&gt;</c>); without it, or while it is away, in process.
/// </summary>
public sealed class MessageRateLimiter(SharedCounters shared)
{
    private const int MaxTrackedUsers = 100_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new();

    /// <summary>Counts one frame against the user's window with the limits in force now (runtime settings).</summary>
    public async ValueTask<bool> TryAcquireAsync(string userId, int max, TimeSpan window)
    {
        if (await shared.HitAsync("ws:rate:" + userId, window) is { } hit)
        {
            return hit.Count <= max;
        }

        return TryAcquire(userId, max, window);
    }

    /// <summary>The in-process window, used without Redis and while it is away.</summary>
    public bool TryAcquire(string userId, int max, TimeSpan window)
    {
        var now = Environment.TickCount64;
        var windowMs = (long)window.TotalMilliseconds;
        if (_windows.Count > MaxTrackedUsers)
        {
            _windows.Clear();
        }

        var counted = _windows.AddOrUpdate(
            userId,
            _ => new Window(now, 1),
            (_, w) => now - w.StartedAt >= windowMs ? new Window(now, 1) : w with { Count = w.Count + 1 });
        return counted.Count <= max;
    }

    private sealed record Window(long StartedAt, int Count);
}
