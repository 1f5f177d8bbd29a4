using System.Collections.Concurrent;
using AgentIM.Infrastructure.Config;
using AgentIM.Redis;

namespace AgentIM.Realtime;

/// <summary>
/// The per-user fixed window on client frames (websocket.md §2.1 step 7): all of a user's sockets share it.
/// With Redis the window is shared by every node (<c>ws:rate:&lt;userId&gt;</c>); without it, or while it is away, in process.
/// </summary>
public sealed class MessageRateLimiter(HubConfig config, SharedCounters shared)
{
    private const int MaxTrackedUsers = 100_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new();

    public async ValueTask<bool> TryAcquireAsync(string userId)
    {
        if (await shared.HitAsync("ws:rate:" + userId, config.ClientRateLimitWindow) is { } hit)
        {
            return hit.Count <= config.ClientRateLimitMax;
        }

        return TryAcquire(userId);
    }

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
