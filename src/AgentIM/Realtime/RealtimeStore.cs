using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Realtime;

/// <summary>The few reads the realtime handlers need that no other feature's service answers.</summary>
public sealed class RealtimeStore(HubDatabase database)
{
    /// <summary>Whether the agent is a member of some room the user created or is a user member of.</summary>
    public async Task<bool> SharesRoomWithAgentAsync(string userId, string agentId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT 1
            FROM room_members am
            JOIN rooms r ON r.id = am.room_id
            WHERE am.member_id = $2
              AND am.member_type = 'agent'
              AND (r.created_by_id = $1
                   OR EXISTS (SELECT 1
                              FROM room_members um
                              WHERE um.room_id = am.room_id
                                AND um.member_id = $1
                                AND um.member_type = 'user'))
            LIMIT 1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = agentId });
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }
}
