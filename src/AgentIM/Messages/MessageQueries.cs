using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Messages;

/// <summary>A message as its routes check it: its room, its sender, and the caller's role there (null: not a member).</summary>
public sealed record MessageAccess(
    string Id, string RoomId, string SenderId, string SenderType, string Content, string SenderName, string? CallerRole)
{
    public bool CallerIsMember => CallerRole is not null;

    public bool SentBy(string userId) => SenderType == "user" && SenderId == userId;
}

/// <summary>What <c>GET /api/messages/search</c> filters on; the text is already a LIKE pattern.</summary>
public sealed record SearchFilter(
    string Pattern, string? RoomId, string? SenderId, string? SenderType, DateTime? DateFrom, DateTime? DateTo, int Limit);

/// <summary>Read-only SQL of the message routes: recent, search, threads, edit history, and who may see a message.</summary>
public sealed class MessageQueries(HubDatabase database, MessageStore messages)
{
    /// <summary>
    /// Rooms a user may read: those they created and those they are a user member of. A trusted constant fragment;
    /// <c>$1</c> is the user id in every statement that embeds it.
    /// </summary>
    private const string CallerRooms = """
        SELECT r.id FROM rooms r WHERE r.created_by_id = $1
        UNION
        SELECT rm.room_id FROM room_members rm WHERE rm.member_id = $1 AND rm.member_type = 'user'
        """;

    /// <summary>
    /// Search is a case-insensitive substring match (decisions.md) that the trigram index
    /// <c>messages_content_trgm_idx</c> serves: the pattern is one parameter, so the planner sees it whole.
    /// Parameters: $1 user, $2 pattern, $3 room, $4 sender, $5 sender type, $6 from, $7 to, $8 limit.
    /// </summary>
    internal const string SearchSql = $"""
        SELECT {MessageStore.MessageColumns}
        FROM messages m
        WHERE m.room_id IN ({CallerRooms})
          AND m.content ILIKE $2
          AND ($3::text IS NULL OR m.room_id = $3)
          AND ($4::text IS NULL OR m.sender_id = $4)
          AND ($5::text IS NULL OR m.sender_type = $5)
          AND ($6::timestamptz IS NULL OR m.created_at >= $6)
          AND ($7::timestamptz IS NULL OR m.created_at <= $7)
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT $8
        """;

    public async Task<MessageAccess?> GetAccessAsync(string messageId, string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT m.id, m.room_id, m.sender_id, m.sender_type, m.content, m.sender_name,
                   CASE WHEN r.created_by_id = $2 THEN 'owner' ELSE rm.role END
            FROM messages m
            JOIN rooms r ON r.id = m.room_id
            LEFT JOIN room_members rm ON rm.room_id = m.room_id AND rm.member_id = $2 AND rm.member_type = 'user'
            WHERE m.id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = messageId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new MessageAccess(
            reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6));
    }

    /// <summary>The messages among <paramref name="ids"/> in rooms the user may read, each with the user's role there.</summary>
    public async Task<List<MessageAccess>> GetAccessAsync(IReadOnlyList<string> ids, string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT m.id, m.room_id, m.sender_id, m.sender_type, m.content, m.sender_name,
                   CASE WHEN r.created_by_id = $2 THEN 'owner' ELSE rm.role END AS caller_role
            FROM messages m
            JOIN rooms r ON r.id = m.room_id
            LEFT JOIN room_members rm ON rm.room_id = m.room_id AND rm.member_id = $2 AND rm.member_type = 'user'
            WHERE m.id = ANY($1)
              AND (r.created_by_id = $2 OR rm.member_id IS NOT NULL)
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = ids.Distinct(StringComparer.Ordinal).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new List<MessageAccess>();
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(new MessageAccess(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetString(6)));
        }

        return found;
    }

    /// <summary>Whether a room exists and the user may read it (its creator or a user member).</summary>
    public async Task<bool> CanReadRoomAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        var (isMember, _) = await messages.GetReaderStateAsync(roomId, userId, cancellationToken);
        return isMember;
    }

    /// <summary>Per room the user may read: its latest message and how many messages are newer than the user's lastReadAt.</summary>
    public async Task<Dictionary<string, RecentMessage>> ListRecentAsync(string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            WITH caller_rooms AS (
                SELECT rm.room_id, rm.last_read_at
                FROM room_members rm
                WHERE rm.member_id = $1 AND rm.member_type = 'user'
                UNION ALL
                SELECT r.id, NULL::timestamptz
                FROM rooms r
                WHERE r.created_by_id = $1
                  AND NOT EXISTS (
                      SELECT 1 FROM room_members x WHERE x.room_id = r.id AND x.member_id = $1 AND x.member_type = 'user')
            )
            SELECT cr.room_id, latest.content, latest.sender_name, latest.created_at,
                   (SELECT count(*)
                    FROM messages u
                    WHERE u.room_id = cr.room_id
                      AND (cr.last_read_at IS NULL OR u.created_at > cr.last_read_at))
            FROM caller_rooms cr
            CROSS JOIN LATERAL (
                SELECT m.content, m.sender_name, m.created_at
                FROM messages m
                WHERE m.room_id = cr.room_id
                ORDER BY m.created_at DESC, m.id DESC
                LIMIT 1
            ) latest
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var recent = new Dictionary<string, RecentMessage>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            recent[reader.GetString(0)] =
                new RecentMessage(reader.GetString(1), reader.GetString(2), reader.GetDateTime(3), reader.GetInt64(4));
        }

        return recent;
    }

    /// <summary>Matches in the rooms the user may read, newest first, with attachments and reactions.</summary>
    public async Task<List<MessageDto>> SearchAsync(string userId, SearchFilter filter, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(SearchSql);
        AddSearchParameters(command, userId, filter);
        var items = new List<MessageDto>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(MessageStore.ReadMessage(reader));
            }
        }

        return await messages.AttachExtrasAsync(items, cancellationToken);
    }

    internal static void AddSearchParameters(NpgsqlCommand command, string userId, SearchFilter filter)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = filter.Pattern });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)filter.RoomId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)filter.SenderId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)filter.SenderType ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)filter.DateFrom ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)filter.DateTo ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz,
        });
        command.Parameters.Add(new NpgsqlParameter { Value = filter.Limit });
    }

    /// <summary>Replies to a message, oldest first, after <paramref name="after"/>; every reply carries its attachments.</summary>
    public async Task<(List<ThreadMessageDto> Items, bool HasMore)> ListThreadAsync(
        string parentId, HistoryPosition? after, int limit, CancellationToken cancellationToken)
    {
        var condition = after switch
        {
            null => "",
            { Id: null } => "AND m.created_at > $3",
            _ => "AND (m.created_at, m.id) > ($3, $4)",
        };
        // Only a trusted constant fragment is interpolated; every value is a parameter.
        var sql = $"""
            SELECT {MessageStore.MessageColumns}
            FROM messages m
            WHERE m.reply_to_id = $1
              {condition}
            ORDER BY m.created_at ASC, m.id ASC
            LIMIT $2
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = parentId });
        command.Parameters.Add(new NpgsqlParameter { Value = limit + 1 });
        if (after is { } position)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = position.CreatedAt, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            if (position.Id is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = position.Id });
            }
        }

        var rows = new List<MessageDto>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(MessageStore.ReadMessage(reader));
            }
        }

        var hasMore = rows.Count > limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var withExtras = await messages.AttachExtrasAsync(rows, cancellationToken);
        var items = withExtras.Select(m => new ThreadMessageDto(
            m.Id, m.RoomId, m.SenderId, m.SenderType, m.SenderName, m.Type, m.Content, m.ReplyToId, m.Mentions, m.Chunks,
            m.CreatedAt, m.UpdatedAt, m.Attachments ?? [])).ToList();
        return (items, hasMore);
    }

    public async Task<long> CountRepliesAsync(string parentId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM messages WHERE reply_to_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = parentId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A message's previous versions, newest first, at most 100.</summary>
    public async Task<List<MessageEditDto>> ListEditsAsync(string messageId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, message_id, previous_content, edited_at
            FROM message_edits
            WHERE message_id = $1
            ORDER BY edited_at DESC, id DESC
            LIMIT 100
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = messageId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var edits = new List<MessageEditDto>();
        while (await reader.ReadAsync(cancellationToken))
        {
            edits.Add(new MessageEditDto(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3)));
        }

        return edits;
    }

    /// <summary>The reactions of one message, one entry per emoji in order of first use, user ids and names aligned.</summary>
    public async Task<List<ReactionDto>> ListReactionsAsync(string messageId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT r.emoji,
                   array_agg(r.user_id ORDER BY r.created_at, r.user_id),
                   array_agg(u.username ORDER BY r.created_at, r.user_id)
            FROM message_reactions r
            JOIN users u ON u.id = r.user_id
            WHERE r.message_id = $1
            GROUP BY r.emoji
            ORDER BY min(r.created_at), r.emoji
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = messageId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var reactions = new List<ReactionDto>();
        while (await reader.ReadAsync(cancellationToken))
        {
            reactions.Add(new ReactionDto(reader.GetString(0), reader.GetFieldValue<string[]>(1), reader.GetFieldValue<string[]>(2)));
        }

        return reactions;
    }
}
