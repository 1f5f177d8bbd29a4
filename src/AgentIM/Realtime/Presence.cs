using System.Collections.Concurrent;
using AgentIM.Redis;

namespace AgentIM.Realtime;

/// <summary>
/// Online/offline notices (behaviour.md §4): online when a user's first socket authenticates; offline 2 s after the
/// last one closes, unless the user came back in between, in which case neither notice is sent. With Redis, "first"
/// and "last" count the sockets of every running node (<see cref="SharedPresence"/>) and one node announces; while
/// Redis is away, or without it, this node's sockets decide.
/// </summary>
public sealed class Presence(ConnectionRegistry registry, SharedPresence shared)
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _pendingOffline = new();

    private static readonly TimeSpan OfflineDelay = TimeSpan.FromSeconds(2);

    /// <summary>The user's first socket on this node authenticated.</summary>
    public void UserCameOnline(string userId, string username)
    {
        var arrival = shared.ArriveAsync(userId);
        if (_pendingOffline.TryRemove(userId, out var pending))
        {
            pending.Cancel();
            return;
        }

        _ = AnnounceOnlineAsync(userId, username, arrival);
    }

    /// <summary>The user's last socket on this node closed.</summary>
    public void UserWentOffline(string userId, string username)
    {
        var departure = shared.LeaveAsync(userId);
        var cancel = new CancellationTokenSource();
        if (_pendingOffline.TryRemove(userId, out var previous))
        {
            previous.Cancel();
        }

        _pendingOffline[userId] = cancel;
        _ = AnnounceOfflineAsync(userId, username, departure, cancel);
    }

    private async Task AnnounceOnlineAsync(string userId, string username, Task<bool?> arrival)
    {
        if (await arrival == true)
        {
            // Already online through another node, or back before the offline notice went out.
            return;
        }

        registry.SendToAllClients(Frames.Serialize(new PresenceFrame(userId, username, true), WireJson.Default.PresenceFrame));
    }

    private async Task AnnounceOfflineAsync(string userId, string username, Task<bool?> departure, CancellationTokenSource cancel)
    {
        var everywhere = await departure;
        try
        {
            if (everywhere == false)
            {
                // Another running node still holds a socket of the user.
                _pendingOffline.TryRemove(new KeyValuePair<string, CancellationTokenSource>(userId, cancel));
                return;
            }

            await Task.Delay(OfflineDelay, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!_pendingOffline.TryRemove(new KeyValuePair<string, CancellationTokenSource>(userId, cancel))
            || registry.CountClients(userId) > 0)
        {
            return;
        }

        // With Redis, the node that claims the pending notice announces it; null means Redis is away: decide here.
        if (everywhere is null || await shared.ClaimOfflineAsync(userId) != false)
        {
            registry.SendToAllClients(Frames.Serialize(new PresenceFrame(userId, username, false), WireJson.Default.PresenceFrame));
        }
    }
}
