using System.Collections.Concurrent;

namespace AgentIM.Realtime;

/// <summary>
/// Online/offline notices (behaviour.md §4): online when a user's first socket authenticates; offline 2 s after the
/// last one closes, unless the user came back in between, in which case neither notice is sent.
/// </summary>
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
