using System.Collections.Concurrent;
using AgentIM.Infrastructure.Config;

namespace AgentIM.Realtime;

/// <summary>A tool-approval request waiting for a room member's answer (behaviour.md §2).</summary>
public sealed record PendingPermission(string RequestId, string AgentId, string RoomId, DateTime CreatedAt, CancellationTokenSource Expiry);

/// <summary>
/// Pending permission requests of this node, each with its own expiry. Exactly one outcome per request: whoever
/// removes the entry first (an answer or the expiry) acts, the other finds nothing (websocket.md §9a).
/// Entries survive the gateway's disconnect; the answer goes to wherever the agent is bound at that moment.
/// </summary>
public sealed class PermissionRequests(HubConfig config, ConnectionRegistry registry)
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

        var entry = new PendingPermission(requestId, agentId, roomId, DateTime.UtcNow, new CancellationTokenSource());
        _pending[requestId] = entry;
        _ = ExpireAsync(entry, timeout);
        return true;
    }

    public PendingPermission? Find(string requestId) => _pending.GetValueOrDefault(requestId);

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

        if (!_pending.TryRemove(new KeyValuePair<string, PendingPermission>(entry.RequestId, entry)))
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
