using System.Collections.Concurrent;

namespace AgentIM.Rooms;

public enum AgentMembership
{
    RoomMissing,
    NotMember,
    Member,
}

/// <summary>
/// Which agents are members of which rooms, cached because every streamed chunk is checked against it.
/// Entries live 30 s and are dropped at once whenever a room's members change or the room is deleted.
/// </summary>
public sealed class RoomAgentsCache(RoomStore rooms)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private const int MaxRooms = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    public async ValueTask<AgentMembership> CheckAsync(string roomId, string agentId, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(roomId, out var entry) || entry.ExpiresAt < DateTime.UtcNow)
        {
            var agents = await rooms.ListAgentIdsAsync(roomId, cancellationToken);
            if (_entries.Count >= MaxRooms)
            {
                _entries.Clear();
            }

            entry = new Entry(agents, DateTime.UtcNow + Lifetime);
            _entries[roomId] = entry;
        }

        return entry.Agents switch
        {
            null => AgentMembership.RoomMissing,
            var set when set.Contains(agentId) => AgentMembership.Member,
            _ => AgentMembership.NotMember,
        };
    }

    public void Invalidate(string roomId) => _entries.TryRemove(roomId, out _);

    private sealed record Entry(HashSet<string>? Agents, DateTime ExpiresAt);
}
