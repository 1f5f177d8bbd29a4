using System.Collections.Concurrent;
using AgentIM.Infrastructure.Config;
using AgentIM.Settings;

namespace AgentIM.Realtime;

/// <summary>
/// The per-user fixed window on client frames (websocket.md §2.1 step 7): all of a user's sockets share it.
/// The window and maximum are the runtime settings <c>rateLimit.client.window</c>/<c>.max</c> (environment
/// <c>CLIENT_RATE_LIMIT_*</c> below them), so an admin's change applies without a restart.
/// In process for now; with Redis it becomes shared across nodes.
/// </summary>
public sealed class MessageRateLimiter(HubConfig config, RuntimeSettings settings)
{
    private const int MaxTrackedUsers = 100_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new();
    private SettingsSnapshot? _snapshot;
    private int _refreshing;

    public bool TryAcquire(string userId)
    {
        var (max, windowMs) = CurrentLimits();
        var now = Environment.TickCount64;
        if (_windows.Count > MaxTrackedUsers)
        {
            _windows.Clear();
        }

        var window = _windows.AddOrUpdate(
            userId,
            static (_, now) => new Window(now.At, 1),
            static (_, w, now) => now.At - w.StartedAt >= now.WindowMs ? new Window(now.At, 1) : w with { Count = w.Count + 1 },
            (At: now, WindowMs: windowMs));
        return window.Count <= max;
    }

    /// <summary>
    /// The limits without waiting on the database: the settings' cached snapshot when it is fresh, else the last one
    /// seen while a refresh runs in the background (the environment's values until a first snapshot arrives).
    /// </summary>
    private (int Max, long WindowMs) CurrentLimits()
    {
        var snapshot = _snapshot;
        if (Volatile.Read(ref _refreshing) == 0)
        {
            var pending = settings.GetAsync(CancellationToken.None);
            if (pending.IsCompletedSuccessfully)
            {
                snapshot = _snapshot = pending.Result;
            }
            else
            {
                Volatile.Write(ref _refreshing, 1);
                _ = RefreshAsync(pending);
            }
        }

        return snapshot is null
            ? (config.ClientRateLimitMax, (long)config.ClientRateLimitWindow.TotalMilliseconds)
            : (snapshot.ClientMessageMax, (long)snapshot.ClientMessageWindow.TotalMilliseconds);
    }

    private async Task RefreshAsync(ValueTask<SettingsSnapshot> pending)
    {
        try
        {
            _snapshot = await pending;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // RuntimeSettings keeps its last rows on a database error; the last snapshot stays in force here too.
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private sealed record Window(long StartedAt, int Count);
}
