using System.Collections.Concurrent;
using AgentIM.Infrastructure.Config;

namespace AgentIM.Realtime;

/// <summary>Who asked to see an agent's workspace, remembered until the answer or the timeout (websocket.md §4).</summary>
public sealed record PendingWorkspace(string UserId, string RoomId, string AgentId, long ExpiresAtMs);

/// <summary>Server-minted workspace request ids, one-shot, with a 30 s lifetime and at most 10 000 at a time.</summary>
public sealed class WorkspaceRequests(HubConfig config)
{
    private const int MaxPending = 10_000;

    private readonly ConcurrentDictionary<string, PendingWorkspace> _pending = new();

    public bool TryAdd(string requestId, string userId, string roomId, string agentId)
    {
        var now = Environment.TickCount64;
        if (_pending.Count >= MaxPending)
        {
            foreach (var (id, entry) in _pending)
            {
                if (entry.ExpiresAtMs <= now)
                {
                    _pending.TryRemove(id, out _);
                }
            }

            if (_pending.Count >= MaxPending)
            {
                return false;
            }
        }

        _pending[requestId] = new PendingWorkspace(userId, roomId, agentId, now + (long)config.WorkspaceRequestTimeout.TotalMilliseconds);
        return true;
    }

    public void Forget(string requestId) => _pending.TryRemove(requestId, out _);

    /// <summary>The request an answer belongs to, removed; null when unknown, expired or already answered.</summary>
    public PendingWorkspace? Take(string requestId) =>
        _pending.TryRemove(requestId, out var entry) && entry.ExpiresAtMs > Environment.TickCount64 ? entry : null;
}
