using System.Collections.Concurrent;

namespace AgentIM.Realtime;

/// <summary>
/// Online/offline notices (behaviour.md §4): online when a user's first socket authenticates; offline 2 s after the
/// last one closes, unless the user came back in between, in which case neither notice is sent.
/// </summary>
// TODO(#5): with several nodes the notices cross nodes, but "first" and "last" socket are counted per node, so a
// user with sockets on two nodes is announced offline when the last one on either node closes; this needs a shared
// per-user count that a crashed node cannot leave behind (a per-node set renewed by a heartbeat).
public sealed class Presence(ConnectionRegistry registry)
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _pendingOffline = new();

    private static readonly TimeSpan OfflineDelay = TimeSpan.FromSeconds(2);

    public void UserCameOnline(string userId, string username)
    {
        if (_pendingOffline.TryRemove(userId, out var pending))
        {
            pending.Cancel();
            return;
        }

        registry.SendToAllClients(Frames.Serialize(new PresenceFrame(userId, username, true), WireJson.Default.PresenceFrame));
    }

    public void UserWentOffline(string userId, string username)
    {
        var cancel = new CancellationTokenSource();
        if (_pendingOffline.TryRemove(userId, out var previous))
        {
            previous.Cancel();
        }

        _pendingOffline[userId] = cancel;
        _ = AnnounceOfflineAsync(userId, username, cancel);
    }

    private async Task AnnounceOfflineAsync(string userId, string username, CancellationTokenSource cancel)
    {
        try
        {
            await Task.Delay(OfflineDelay, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (_pendingOffline.TryRemove(new KeyValuePair<string, CancellationTokenSource>(userId, cancel)) && registry.CountClients(userId) == 0)
        {
            registry.SendToAllClients(Frames.Serialize(new PresenceFrame(userId, username, false), WireJson.Default.PresenceFrame));
        }
    }
}
