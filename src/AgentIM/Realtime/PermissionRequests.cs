using System.Collections.Concurrent;
using AgentIM.Infrastructure.Config;
using AgentIM.Redis;

namespace AgentIM.Realtime;

/// <summary>
/// A tool-approval request waiting for a room member's answer (behaviour.md §2). Stored: whether it also went to Redis
/// (answerable on every node); Remote: it is pending on another node and was read from Redis.
/// </summary>
public sealed record PendingPermission(
    string RequestId, string AgentId, string RoomId, DateTime CreatedAt, CancellationTokenSource Expiry, Task<bool>? Stored = null,
    bool Remote = false);

/// <summary>
/// Pending permission requests of this node, each with its own expiry. Exactly one outcome per request: whoever
/// removes the entry first (an answer or the expiry) acts, the other finds nothing (websocket.md §9a).
/// Entries survive the gateway's disconnect; the answer goes to wherever the agent is bound at that moment.
/// With Redis a request is also kept there, so a member on another node can answer it; deleting the Redis key is
/// then what decides the winner.
/// </summary>
public sealed class PermissionRequests(HubConfig config, ConnectionRegistry registry, SharedPermissions shared)
{
    private readonly ConcurrentDictionary<string, PendingPermission> _pending = new();
    private long _lastSweepTicks = Environment.TickCount64;

    public int Count => _pending.Count;

    /// <summary>
    /// Stores the request and arms its expiry; false when the node already holds the maximum (the caller denies).
    /// A request id seen before replaces the earlier entry and its timer.
    /// </summary>
    public bool TryAdd(string requestId, string agentId, string roomId, TimeSpan timeout)
    {
        Sweep();
        if (_pending.TryRemove(requestId, out var replaced))
        {
            replaced.Expiry.Cancel();
        }
        else if (_pending.Count >= config.MaxPendingPermissions)
        {
            return false;
        }

        var stored = shared.StoreAsync(requestId, agentId, roomId, timeout);
        var entry = new PendingPermission(requestId, agentId, roomId, DateTime.UtcNow, new CancellationTokenSource(), stored);
        _pending[requestId] = entry;
        _ = ExpireAsync(entry, timeout);
        return true;
    }

    public PendingPermission? Find(string requestId) => _pending.GetValueOrDefault(requestId);

    /// <summary>A request pending on this node or, with Redis, on another one.</summary>
    public async Task<PendingPermission?> FindAsync(string requestId)
    {
        if (Find(requestId) is { } local)
        {
            return local;
        }

        return await shared.FindAsync(requestId) is { } remote
            ? new PendingPermission(requestId, remote.AgentId, remote.RoomId, DateTime.UtcNow, new CancellationTokenSource(), Remote: true)
            : null;
    }

    /// <summary>Takes the request for an answer or the expiry; true for the single caller that wins on any node.</summary>
    public async Task<bool> TryTakeAsync(PendingPermission entry)
    {
        if (entry.Remote)
        {
            return await shared.TakeAsync(entry.RequestId) == true;
        }

        if (!TryTake(entry))
        {
            return false;
        }

        // Stored in Redis: an answer on another node may have deleted it first, and then that one won.
        return entry.Stored is null || !await entry.Stored || await shared.TakeAsync(entry.RequestId) != false;
    }

    /// <summary>Removes the entry if it is still this one; true for the single caller that wins.</summary>
    public bool TryTake(PendingPermission entry)
    {
        if (!_pending.TryRemove(new KeyValuePair<string, PendingPermission>(entry.RequestId, entry)))
        {
            return false;
        }

        entry.Expiry.Cancel();
        return true;
    }

    private async Task ExpireAsync(PendingPermission entry, TimeSpan timeout)
    {
        try
        {
            await Task.Delay(timeout, entry.Expiry.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!await TryTakeAsync(entry))
        {
            return;
        }

        var answer = new PermissionResponseFrame(entry.RequestId, entry.AgentId, "timeout", null);
        registry.SendToAgent(entry.AgentId, Frames.Serialize(answer, WireJson.Default.PermissionResponseFrame));
        registry.SendToRoom(
            entry.RoomId,
            Frames.Serialize(new PermissionRequestExpiredFrame(entry.RequestId), WireJson.Default.PermissionRequestExpiredFrame));
    }

    /// <summary>
    /// Housekeeping (behaviour.md §2.5): every entry has its own timer, so this only catches one whose timer was lost.
    /// Runs at most every fifth of the cap and drops entries older than twice the cap (upstream: 600 s every 60 s).
    /// </summary>
    private void Sweep()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (now - last < config.PermissionTimeoutCap.TotalMilliseconds / 5
            || Interlocked.CompareExchange(ref _lastSweepTicks, now, last) != last)
        {
            return;
        }

        var cutoff = DateTime.UtcNow - (2 * config.PermissionTimeoutCap);
        foreach (var entry in _pending.Values)
        {
            if (entry.CreatedAt < cutoff)
            {
                TryTake(entry);
            }
        }
    }
}
