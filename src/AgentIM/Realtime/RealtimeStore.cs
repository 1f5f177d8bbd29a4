using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Json;
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

    /// <summary>What an agent is told about a room (behaviour.md §6.1); null when the room does not exist.</summary>
    public async Task<RoomContextDto?> LoadRoomContextAsync(string roomId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT r.name, r.system_prompt,
                   m.member_id, m.member_type, coalesce(u.display_name, u.username, a.name), a.type, a.capabilities::text,
                   m.role_description, a.status
            FROM rooms r
            LEFT JOIN room_members m ON m.room_id = r.id
            LEFT JOIN users u ON m.member_type = 'user' AND u.id = m.member_id
            LEFT JOIN agents a ON m.member_type = 'agent' AND a.id = m.member_id
            WHERE r.id = $1
            ORDER BY m.joined_at, m.member_id
            """;
        const string recentSql = """
            SELECT sender_name, sender_type, left(content, 500), created_at
            FROM (SELECT sender_name, sender_type, content, created_at, id
                  FROM messages
                  WHERE room_id = $1
                  ORDER BY created_at DESC, id DESC
                  LIMIT 20) recent
            ORDER BY created_at, id
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        string? name = null;
        string? systemPrompt = null;
        var members = new List<RoomContextMemberDto>();
        await using (var command = new NpgsqlCommand(sql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = roomId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                name = reader.GetString(0);
                systemPrompt = reader.IsDBNull(1) ? null : reader.GetString(1);
                if (reader.IsDBNull(2) || reader.IsDBNull(4))
                {
                    continue;
                }

                var isAgent = reader.GetString(3) == "agent";
                members.Add(new RoomContextMemberDto(
                    reader.GetString(2),
                    reader.GetString(4),
                    isAgent ? "agent" : "user",
                    isAgent && !reader.IsDBNull(5) ? reader.GetString(5) : null,
                    isAgent && !reader.IsDBNull(6) ? new RawJson(reader.GetString(6)) : null,
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    isAgent && !reader.IsDBNull(8) ? reader.GetString(8) : null));
            }
        }

        if (name is null)
        {
            return null;
        }

        var recent = new List<RoomContextMessageDto>();
        await using (var command = new NpgsqlCommand(recentSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = roomId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                recent.Add(new RoomContextMessageDto(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3)));
            }
        }

        return new RoomContextDto(roomId, name, systemPrompt, members, recent);
    }
}
