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

    /// <summary>The message a rewind goes back to; null when there is no such message.</summary>
    public async Task<RewindTarget?> FindMessageAsync(string messageId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT room_id, sender_id, sender_type, content, created_at
            FROM messages
            WHERE id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = messageId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new RewindTarget(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetDateTime(4))
            : null;
    }

    /// <summary>The room's agent members, their type and capabilities, in join order.</summary>
    public async Task<List<RoomAgent>> ListRoomAgentsAsync(string roomId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT a.id, a.name, a.type, a.capabilities::text, a.connection_type
            FROM room_members m
            JOIN agents a ON a.id = m.member_id
            WHERE m.room_id = $1
              AND m.member_type = 'agent'
            ORDER BY m.joined_at, a.id
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var agents = new List<RoomAgent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var capabilities = reader.IsDBNull(3)
                ? []
                : System.Text.Json.JsonSerializer.Deserialize(reader.GetString(3), ApiJson.Default.ListString) ?? [];
            agents.Add(new RoomAgent(reader.GetString(0), reader.GetString(1), reader.GetString(2), capabilities, reader.GetString(4)));
        }

        return agents;
    }

    /// <summary>
    /// Deletes the room's messages created at or after <paramref name="from"/> (their attachment rows go with them by
    /// cascade; the files stay, websocket.md §4) and returns their ids, oldest first.
    /// </summary>
    public async Task<List<string>> RewindAsync(string roomId, DateTime from, CancellationToken cancellationToken)
    {
        const string sql = """
            WITH removed AS (
                DELETE FROM messages
                WHERE room_id = $1
                  AND created_at >= $2
                RETURNING id, created_at)
            SELECT id
            FROM removed
            ORDER BY created_at, id
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}

/// <summary>The fields of a message a rewind checks.</summary>
public sealed record RewindTarget(string RoomId, string SenderId, string SenderType, string Content, DateTime CreatedAt);

/// <summary>An agent member of a room as rewind and the AI router need it.</summary>
public sealed record RoomAgent(string Id, string Name, string Type, IReadOnlyList<string> Capabilities, string ConnectionType);
