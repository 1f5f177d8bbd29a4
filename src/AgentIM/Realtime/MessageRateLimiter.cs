using System.Collections.Concurrent;
using AgentIM.Infrastructure.Config;

namespace AgentIM.Realtime;

/// <summary>
/// The per-user fixed window on client frames (websocket.md §2.1 step 7): all of a user's sockets share it.
/// In process for now; with Redis it becomes shared across nodes.
/// </summary>
public sealed class MessageRateLimiter(HubConfig config)
{
    private const int MaxTrackedUsers = 100_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new();

    public bool TryAcquire(string userId) => TryAcquire(userId, config.ClientRateLimitMax, config.ClientRateLimitWindow);

    /// <summary>Counts one frame against the user's window with the limits in force now (runtime settings).</summary>
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
