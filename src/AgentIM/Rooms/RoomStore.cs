using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using Npgsql;
using NpgsqlTypes;

namespace AgentIM.Rooms;

public enum AddMemberOutcome
{
    Added,
    AlreadyMember,
}

/// <summary>SQL for <c>rooms</c> and <c>room_members</c>. The creator always counts as an owner, row or not.</summary>
public sealed class RoomStore(HubDatabase database)
{
    private const string RoomColumns = """
        r.id, r.name, r.type, r.broadcast_mode, r.system_prompt, r.router_id, r.agent_command_role,
        r.created_by_id, r.created_at, r.updated_at
        """;

    private const string MemberColumns = """
        m.room_id, m.member_id, m.member_type, m.role, m.role_description, m.notification_pref,
        m.pinned_at, m.archived_at, m.last_read_at, m.cleared_at, m.joined_at
        """;

    /// <summary>Creates a room with its creator as owner and the given users as members; null when a user id is unknown.</summary>
    public async Task<RoomDto?> CreateAsync(
        string creatorId, string name, string type, bool broadcastMode, string? systemPrompt, string? routerId, string agentCommandRole,
        IReadOnlyCollection<string> memberIds, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (memberIds.Count > 0)
        {
            await using var check = new NpgsqlCommand("SELECT count(*) FROM users WHERE id = ANY($1)", connection, transaction);
            check.Parameters.Add(new NpgsqlParameter { Value = memberIds.ToArray() });
            if ((long)(await check.ExecuteScalarAsync(cancellationToken))! != memberIds.Count)
            {
                return null;
            }
        }

        var now = Clock.UtcNow();
        var room = new RoomDto
        {
            Id = Ids.New(),
            Name = name,
            Type = type,
            BroadcastMode = broadcastMode,
            SystemPrompt = systemPrompt,
            RouterId = routerId,
            AgentCommandRole = agentCommandRole,
            CreatedById = creatorId,
            CreatedAt = now,
            UpdatedAt = now,
        };

        const string insertRoom = """
            INSERT INTO rooms
                (id, name, type, broadcast_mode, system_prompt, router_id, agent_command_role, created_by_id, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
            """;
        await using (var command = new NpgsqlCommand(insertRoom, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = room.Id });
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            command.Parameters.Add(new NpgsqlParameter { Value = type });
            command.Parameters.Add(new NpgsqlParameter { Value = broadcastMode });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)systemPrompt ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)routerId ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter { Value = agentCommandRole });
            command.Parameters.Add(new NpgsqlParameter { Value = creatorId });
            command.Parameters.Add(new NpgsqlParameter { Value = now });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        const string insertMembers = """
            INSERT INTO room_members (room_id, member_id, member_type, role, last_read_at, joined_at)
            SELECT $1, member_id, 'user', CASE WHEN member_id = $2 THEN 'owner' ELSE 'member' END, $3, $3
            FROM unnest($4::text[]) AS member_id
            ON CONFLICT DO NOTHING
            """;
        await using (var command = new NpgsqlCommand(insertMembers, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = room.Id });
            command.Parameters.Add(new NpgsqlParameter { Value = creatorId });
            command.Parameters.Add(new NpgsqlParameter { Value = now });
            command.Parameters.Add(new NpgsqlParameter { Value = memberIds.Prepend(creatorId).Distinct().ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return room;
    }

    public async Task<List<RoomListItem>> ListForUserAsync(string userId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {RoomColumns}, m.pinned_at, m.archived_at
            FROM rooms r
            JOIN room_members m ON m.room_id = r.id AND m.member_id = $1 AND m.member_type = 'user'
            ORDER BY r.created_at DESC, r.id DESC
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rooms = new List<RoomListItem>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var room = ReadRoom(reader);
            rooms.Add(new RoomListItem
            {
                Id = room.Id,
                Name = room.Name,
                Type = room.Type,
                BroadcastMode = room.BroadcastMode,
                SystemPrompt = room.SystemPrompt,
                RouterId = room.RouterId,
                AgentCommandRole = room.AgentCommandRole,
                CreatedById = room.CreatedById,
                CreatedAt = room.CreatedAt,
                UpdatedAt = room.UpdatedAt,
                PinnedAt = reader.IsDBNull(10) ? null : reader.GetDateTime(10),
                ArchivedAt = reader.IsDBNull(11) ? null : reader.GetDateTime(11),
            });
        }

        return rooms;
    }

    public async Task<RoomDto?> GetAsync(string roomId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT {RoomColumns} FROM rooms r WHERE r.id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadRoom(reader) : null;
    }

    /// <summary>Whether the room exists, and the user's role in it: "owner" for the creator, the row's role for a member.</summary>
    public async Task<(bool Exists, string? Role)> GetUserRoleAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT CASE WHEN r.created_by_id = $2 THEN 'owner' ELSE m.role END
            FROM rooms r
            LEFT JOIN room_members m ON m.room_id = r.id AND m.member_id = $2 AND m.member_type = 'user'
            WHERE r.id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (false, null);
        }

        return (true, reader.IsDBNull(0) ? null : reader.GetString(0));
    }

    /// <summary>The agent members of a room, or null when the room does not exist.</summary>
    public async Task<HashSet<string>?> ListAgentIdsAsync(string roomId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT m.member_id
            FROM rooms r
            LEFT JOIN room_members m ON m.room_id = r.id AND m.member_type = 'agent'
            WHERE r.id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        HashSet<string>? agents = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            agents ??= [];
            if (!reader.IsDBNull(0))
            {
                agents.Add(reader.GetString(0));
            }
        }

        return agents;
    }

    public async Task<List<RoomMemberDto>> ListMembersAsync(string roomId, int limit, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {MemberColumns}, coalesce(u.display_name, a.name)
            FROM room_members m
            LEFT JOIN users u ON m.member_type = 'user' AND u.id = m.member_id
            LEFT JOIN agents a ON m.member_type = 'agent' AND a.id = m.member_id
            WHERE m.room_id = $1
            ORDER BY m.joined_at, m.member_id
            LIMIT $2
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var members = new List<RoomMemberDto>();
        while (await reader.ReadAsync(cancellationToken))
        {
            members.Add(ReadMember(reader) with { DisplayName = reader.IsDBNull(11) ? null : reader.GetString(11) });
        }

        return members;
    }

    /// <summary>Users (by username) and agents (by name, with status) of a room, for mentions and routing.</summary>
    public async Task<List<RoutingMember>> ListRoutingMembersAsync(string roomId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT m.member_id, m.member_type, coalesce(u.username, a.name), a.status, m.role
            FROM room_members m
            LEFT JOIN users u ON m.member_type = 'user' AND u.id = m.member_id
            LEFT JOIN agents a ON m.member_type = 'agent' AND a.id = m.member_id
            WHERE m.room_id = $1 AND coalesce(u.id, a.id) IS NOT NULL
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var members = new List<RoutingMember>();
        while (await reader.ReadAsync(cancellationToken))
        {
            members.Add(new RoutingMember(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4)));
        }

        return members;
    }

    public async Task<AddMemberOutcome> AddMemberAsync(
        string roomId, string memberId, string memberType, string role, string? roleDescription, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO room_members (room_id, member_id, member_type, role, role_description, last_read_at, joined_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            ON CONFLICT (room_id, member_id) DO NOTHING
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = memberId });
        command.Parameters.Add(new NpgsqlParameter { Value = memberType });
        command.Parameters.Add(new NpgsqlParameter { Value = role });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)roleDescription ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? AddMemberOutcome.Added : AddMemberOutcome.AlreadyMember;
    }

    /// <summary>Removes a membership; returns its member type, or null when there was none.</summary>
    public async Task<string?> RemoveMemberAsync(string roomId, string memberId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(
            "DELETE FROM room_members WHERE room_id = $1 AND member_id = $2 RETURNING member_type");
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = memberId });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Applies a settings change; returns the updated room, or null when it does not exist.</summary>
    public async Task<RoomDto?> UpdateAsync(string roomId, RoomUpdate update, CancellationToken cancellationToken)
    {
        const string sql = $"""
            UPDATE rooms r
            SET name = coalesce($2, r.name),
                broadcast_mode = coalesce($3, r.broadcast_mode),
                system_prompt = CASE WHEN $4 THEN $5 ELSE r.system_prompt END,
                router_id = CASE WHEN $6 THEN $7 ELSE r.router_id END,
                agent_command_role = coalesce($8, r.agent_command_role),
                updated_at = $9
            WHERE r.id = $1
            RETURNING {RoomColumns}
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(NullableParameter(update.Name, NpgsqlDbType.Text));
        command.Parameters.Add(NullableParameter(update.BroadcastMode, NpgsqlDbType.Boolean));
        command.Parameters.Add(new NpgsqlParameter { Value = update.SystemPrompt.Present });
        command.Parameters.Add(NullableParameter(update.SystemPrompt.Value, NpgsqlDbType.Text));
        command.Parameters.Add(new NpgsqlParameter { Value = update.RouterId.Present });
        command.Parameters.Add(NullableParameter(update.RouterId.Value, NpgsqlDbType.Text));
        command.Parameters.Add(NullableParameter(update.AgentCommandRole, NpgsqlDbType.Text));
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadRoom(reader) : null;
    }

    /// <summary>
    /// Deletes a room; members, messages and tasks go with it by cascade. Returns the users who were members and the
    /// URLs of the files attached to its messages, or null when the room did not exist.
    /// </summary>
    public async Task<(List<string> UserIds, List<string> FileUrls)?> DeleteAsync(string roomId, CancellationToken cancellationToken)
    {
        const string members = """
            SELECT member_id
            FROM room_members
            WHERE room_id = $1 AND member_type = 'user'
            """;
        const string files = """
            SELECT a.url
            FROM message_attachments a
            JOIN messages msg ON msg.id = a.message_id
            WHERE msg.room_id = $1
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var userIds = await ReadStringsAsync(connection, transaction, members, roomId, cancellationToken);
        var urls = await ReadStringsAsync(connection, transaction, files, roomId, cancellationToken);
        await using (var command = new NpgsqlCommand("DELETE FROM rooms WHERE id = $1", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = roomId });
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return null;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (userIds, urls);
    }

    /// <summary>Toggles the user's pin (or archive) mark; true when now set, null when the user has no membership row.</summary>
    public Task<bool?> TogglePinAsync(string roomId, string userId, CancellationToken cancellationToken) =>
        ToggleAsync(
            """
            UPDATE room_members
            SET pinned_at = CASE WHEN pinned_at IS NULL THEN $3 ELSE NULL END
            WHERE room_id = $1 AND member_id = $2 AND member_type = 'user'
            RETURNING pinned_at IS NOT NULL
            """,
            roomId, userId, cancellationToken);

    public Task<bool?> ToggleArchiveAsync(string roomId, string userId, CancellationToken cancellationToken) =>
        ToggleAsync(
            """
            UPDATE room_members
            SET archived_at = CASE WHEN archived_at IS NULL THEN $3 ELSE NULL END
            WHERE room_id = $1 AND member_id = $2 AND member_type = 'user'
            RETURNING archived_at IS NOT NULL
            """,
            roomId, userId, cancellationToken);

    /// <summary>Hides the room's history up to now for this user only; null when the user has no membership row.</summary>
    public async Task<DateTime?> ClearAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE room_members
            SET cleared_at = $3
            WHERE room_id = $1 AND member_id = $2 AND member_type = 'user'
            RETURNING cleared_at
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        return await command.ExecuteScalarAsync(cancellationToken) as DateTime?;
    }

    /// <summary>Sets the user's notification preference; false when the user has no membership row.</summary>
    public async Task<bool> SetNotificationPrefAsync(string roomId, string userId, string pref, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE room_members
            SET notification_pref = $3
            WHERE room_id = $1 AND member_id = $2 AND member_type = 'user'
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = pref });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>A page of members with their display names, and how many members the room has.</summary>
    public async Task<(List<RoomMemberDto> Members, long Total)> ListMembersPageAsync(
        string roomId, int limit, int offset, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {MemberColumns}, coalesce(u.display_name, a.name), count(*) OVER ()
            FROM room_members m
            LEFT JOIN users u ON m.member_type = 'user' AND u.id = m.member_id
            LEFT JOIN agents a ON m.member_type = 'agent' AND a.id = m.member_id
            WHERE m.room_id = $1
            ORDER BY m.joined_at, m.member_id
            LIMIT $2
            OFFSET $3
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = offset });
        var members = new List<RoomMemberDto>();
        long total = -1;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                members.Add(ReadMember(reader) with { DisplayName = reader.IsDBNull(11) ? null : reader.GetString(11) });
                total = reader.GetInt64(12);
            }
        }

        if (total < 0)
        {
            // Past the last page no row carries the window count.
            await using var count = database.DataSource.CreateCommand("SELECT count(*) FROM room_members WHERE room_id = $1");
            count.Parameters.Add(new NpgsqlParameter { Value = roomId });
            total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        return (members, total);
    }

    public async Task<bool> UserExistsAsync(string userId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("SELECT 1 FROM users WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private async Task<bool?> ToggleAsync(string sql, string roomId, string userId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        return await command.ExecuteScalarAsync(cancellationToken) as bool?;
    }

    private static async Task<List<string>> ReadStringsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, string argument, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = argument });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static NpgsqlParameter NullableParameter(object? value, NpgsqlDbType type) =>
        new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    private static RoomDto ReadRoom(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Name = reader.GetString(1),
        Type = reader.GetString(2),
        BroadcastMode = reader.GetBoolean(3),
        SystemPrompt = reader.IsDBNull(4) ? null : reader.GetString(4),
        RouterId = reader.IsDBNull(5) ? null : reader.GetString(5),
        AgentCommandRole = reader.GetString(6),
        CreatedById = reader.GetString(7),
        CreatedAt = reader.GetDateTime(8),
        UpdatedAt = reader.GetDateTime(9),
    };

    private static RoomMemberDto ReadMember(NpgsqlDataReader reader) => new()
    {
        RoomId = reader.GetString(0),
        MemberId = reader.GetString(1),
        MemberType = reader.GetString(2),
        Role = reader.GetString(3),
        RoleDescription = reader.IsDBNull(4) ? null : reader.GetString(4),
        NotificationPref = reader.GetString(5),
        PinnedAt = reader.IsDBNull(6) ? null : reader.GetDateTime(6),
        ArchivedAt = reader.IsDBNull(7) ? null : reader.GetDateTime(7),
        LastReadAt = reader.IsDBNull(8) ? null : reader.GetDateTime(8),
        ClearedAt = reader.IsDBNull(9) ? null : reader.GetDateTime(9),
        JoinedAt = reader.GetDateTime(10),
    };
}
