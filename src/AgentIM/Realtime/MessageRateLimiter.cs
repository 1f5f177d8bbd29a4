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

    public bool TryAcquire(string userId)
    {
        var now = Environment.TickCount64;
        var windowMs = (long)config.ClientRateLimitWindow.TotalMilliseconds;
        if (_windows.Count > MaxTrackedUsers)
        {
            _windows.Clear();
        }

        var window = _windows.AddOrUpdate(
            userId,
            _ => new Window(now, 1),
            (_, w) => now - w.StartedAt >= windowMs ? new Window(now, 1) : w with { Count = w.Count + 1 });
        return window.Count <= config.ClientRateLimitMax;
    }

    private sealed record Window(long StartedAt, int Count);
}
