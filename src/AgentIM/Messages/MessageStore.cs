using System.Text.Json;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Json;
using Npgsql;

namespace AgentIM.Messages;

public enum SendFailure
{
    None,
    RoomNotFound,
    NotAMember,
}

/// <summary>A stored user message and the sender's role in its room ("owner" for the creator).</summary>
/// <summary>
/// A stored user message with what routing needs from the same round trip: the sender's room role, the room's
/// command role, whether the room has any agent member and whether it routes un-mentioned messages (broadcast mode).
/// </summary>
public sealed record StoredUserMessage(
    MessageDto Message, string SenderRole, string AgentCommandRole, bool RoomHasAgents, bool BroadcastMode);

/// <summary>A user message about to be stored.</summary>
public sealed record NewUserMessage(
    string RoomId, string SenderId, string SenderName, string Content, IReadOnlyList<string> Mentions, string? ReplyToId,
    IReadOnlyList<string> AttachmentIds);

/// <summary>An agent's completed reply about to be stored.</summary>
public sealed record AgentCompletion(string MessageId, string RoomId, string AgentId, string AgentName, string Content, string? ChunksJson);

/// <summary>SQL for <c>messages</c> and what hangs off them (attachments, reactions).</summary>
public sealed class MessageStore(HubDatabase database)
{
    /// <summary>The turns new messages take in their rooms on this node: take one before storing, announce in its order.</summary>
    public RoomOrder Order { get; } = new();

    internal const string MessageColumns = """
        m.id, m.room_id, m.sender_id, m.sender_type, m.sender_name, m.type, m.content, m.reply_to_id, m.mentions::text,
        m.chunks::text, m.created_at, m.updated_at
        """;

    /// <summary>
    /// Stores a user message in one transaction: the room must exist and the sender be its creator or a user member
    /// (joining the room's socket channel is not required); the sender's own unlinked uploads are linked. The message is
    /// stored at the time its room <paramref name="turn"/> gives (<see cref="RoomOrder"/>).
    /// </summary>
    public async Task<(StoredUserMessage? Stored, SendFailure Failure)> InsertUserMessageAsync(
        NewUserMessage message, RoomTurn turn, CancellationToken cancellationToken)
    {
        const string membership = """
            SELECT CASE WHEN r.created_by_id = $2 THEN 'owner' ELSE m.role END, r.agent_command_role, r.broadcast_mode,
                   EXISTS (SELECT 1 FROM room_members a WHERE a.room_id = r.id AND a.member_type = 'agent')
            FROM rooms r
            LEFT JOIN room_members m ON m.room_id = r.id AND m.member_id = $2 AND m.member_type = 'user'
            WHERE r.id = $1
            """;
        const string insert = """
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, reply_to_id, mentions, created_at)
            VALUES ($1, $2, $3, 'user', $4, 'text', $5, $6, $7::jsonb, $8)
            """;
        const string link = """
            UPDATE message_attachments
            SET message_id = $1
            WHERE id = ANY($2) AND uploaded_by = $3 AND message_id IS NULL
            RETURNING id, message_id, filename, mime_type, size, url
            """;

        if (message.AttachmentIds.Count == 0)
        {
            return await InsertWithoutAttachmentsAsync(message, turn, cancellationToken);
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string? role;
        var commandRole = "member";
        var broadcastMode = false;
        var roomHasAgents = false;
        bool roomExists;
        await using (var command = new NpgsqlCommand(membership, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = message.RoomId });
            command.Parameters.Add(new NpgsqlParameter { Value = message.SenderId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            roomExists = await reader.ReadAsync(cancellationToken);
            role = roomExists && !reader.IsDBNull(0) ? reader.GetString(0) : null;
            if (roomExists)
            {
                commandRole = reader.GetString(1);
                broadcastMode = reader.GetBoolean(2);
                roomHasAgents = reader.GetBoolean(3);
            }
        }

        if (!roomExists)
        {
            return (null, SendFailure.RoomNotFound);
        }

        if (role is null)
        {
            return (null, SendFailure.NotAMember);
        }

        var stored = NewStoredMessage(message, turn.Clock);

        await using (var command = new NpgsqlCommand(insert, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = stored.Id });
            command.Parameters.Add(new NpgsqlParameter { Value = stored.RoomId });
            command.Parameters.Add(new NpgsqlParameter { Value = stored.SenderId });
            command.Parameters.Add(new NpgsqlParameter { Value = stored.SenderName });
            command.Parameters.Add(new NpgsqlParameter { Value = stored.Content });
            command.Parameters.Add(new NpgsqlParameter
            {
                Value = (object?)stored.ReplyToId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
            });
            command.Parameters.Add(new NpgsqlParameter
            {
                Value = JsonSerializer.Serialize(stored.Mentions, ApiJson.Default.IReadOnlyListString),
                NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
            });
            command.Parameters.Add(new NpgsqlParameter { Value = stored.CreatedAt });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (message.AttachmentIds.Count > 0)
        {
            await using var command = new NpgsqlCommand(link, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = stored.Id });
            command.Parameters.Add(new NpgsqlParameter { Value = message.AttachmentIds.ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = message.SenderId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var attachments = new List<AttachmentDto>();
            while (await reader.ReadAsync(cancellationToken))
            {
                attachments.Add(ReadAttachment(reader));
            }

            if (attachments.Count > 0)
            {
                stored = stored with { Attachments = attachments };
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return (new StoredUserMessage(stored, role, commandRole, roomHasAgents, broadcastMode), SendFailure.None);
    }

    /// <summary>
    /// The common case, a message without attachments, in one statement and one round trip: the membership check and
    /// the insert run together (the insert happens only for a member), and the statement is its own transaction.
    /// The statement is prepared once per pooled connection, so PostgreSQL does not parse and plan it per message.
    /// </summary>
    private async Task<(StoredUserMessage? Stored, SendFailure Failure)> InsertWithoutAttachmentsAsync(
        NewUserMessage message, RoomTurn turn, CancellationToken cancellationToken)
    {
        const string sql = """
            WITH sender AS (
                SELECT CASE WHEN r.created_by_id = $3 THEN 'owner' ELSE m.role END AS role, r.agent_command_role, r.broadcast_mode,
                       EXISTS (SELECT 1 FROM room_members a WHERE a.room_id = r.id AND a.member_type = 'agent') AS has_agents
                FROM rooms r
                LEFT JOIN room_members m ON m.room_id = r.id AND m.member_id = $3 AND m.member_type = 'user'
                WHERE r.id = $2
            ),
            inserted AS (
                -- A data-modifying WITH runs even though the final SELECT does not read it.
                INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, reply_to_id, mentions, created_at)
                SELECT $1, $2, $3, 'user', $4, 'text', $5, $6, $7::jsonb, $8
                FROM sender
                WHERE sender.role IS NOT NULL
            )
            SELECT role, agent_command_role, broadcast_mode, has_agents
            FROM sender
            """;

        var stored = NewStoredMessage(message, turn.Clock);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = stored.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = stored.RoomId });
        command.Parameters.Add(new NpgsqlParameter { Value = stored.SenderId });
        command.Parameters.Add(new NpgsqlParameter { Value = stored.SenderName });
        command.Parameters.Add(new NpgsqlParameter { Value = stored.Content });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)stored.ReplyToId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = JsonSerializer.Serialize(stored.Mentions, ApiJson.Default.IReadOnlyListString),
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter { Value = stored.CreatedAt });
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (null, SendFailure.RoomNotFound);
        }

        if (reader.IsDBNull(0))
        {
            return (null, SendFailure.NotAMember);
        }

        return (new StoredUserMessage(stored, reader.GetString(0), reader.GetString(1), reader.GetBoolean(3), reader.GetBoolean(2)),
            SendFailure.None);
    }

    private static MessageDto NewStoredMessage(NewUserMessage message, DateTime clock) => new()
    {
        Id = Ids.New(),
        RoomId = message.RoomId,
        SenderId = message.SenderId,
        SenderType = "user",
        SenderName = message.SenderName,
        Type = "text",
        Content = message.Content,
        ReplyToId = message.ReplyToId,
        Mentions = message.Mentions,
        CreatedAt = clock,
    };

    /// <summary>
    /// Stores an agent's reply once per message id. A repeated completion (a gateway retrying after a reconnect,
    /// case B03) updates the reply only when that same agent wrote it in that same room; an id that belongs to
    /// anyone else's message is never overwritten, the reply is stored under a fresh id instead (behaviour.md §15).
    /// </summary>
    public async Task<MessageDto> UpsertAgentCompletionAsync(AgentCompletion completion, RoomTurn turn, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, mentions, chunks, created_at)
            VALUES ($1, $2, $3, 'agent', $4, 'agent_response', $5, '[]'::jsonb, $6::jsonb, $7)
            ON CONFLICT (id) DO UPDATE
            SET content = EXCLUDED.content,
                chunks = EXCLUDED.chunks,
                sender_name = EXCLUDED.sender_name
            WHERE messages.sender_id = EXCLUDED.sender_id
              AND messages.room_id = EXCLUDED.room_id
              AND messages.sender_type = 'agent'
            RETURNING created_at
            """;

        var id = completion.MessageId;
        for (var attempt = 0; ; attempt++)
        {
            await using var command = database.DataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = id });
            command.Parameters.Add(new NpgsqlParameter { Value = completion.RoomId });
            command.Parameters.Add(new NpgsqlParameter { Value = completion.AgentId });
            command.Parameters.Add(new NpgsqlParameter { Value = completion.AgentName });
            command.Parameters.Add(new NpgsqlParameter { Value = completion.Content });
            command.Parameters.Add(new NpgsqlParameter
            {
                Value = (object?)completion.ChunksJson ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
            });
            command.Parameters.Add(new NpgsqlParameter { Value = turn.Clock });
            if (await command.ExecuteScalarAsync(cancellationToken) is DateTime createdAt)
            {
                return new MessageDto
                {
                    Id = id,
                    RoomId = completion.RoomId,
                    SenderId = completion.AgentId,
                    SenderType = "agent",
                    SenderName = completion.AgentName,
                    Type = "agent_response",
                    Content = completion.Content,
                    Mentions = [],
                    Chunks = completion.ChunksJson is null ? null : new RawJson(completion.ChunksJson),
                    CreatedAt = createdAt,
                };
            }

            if (attempt > 0)
            {
                throw new InvalidOperationException("A fresh message id collided twice");
            }

            id = Ids.New();
        }
    }

    /// <summary>
    /// One page of a room's history, newest first, hiding what the reader cleared. With <paramref name="after"/> the
    /// page holds the oldest messages after that point (so a catch-up never leaves a gap, behaviour.md §15.18);
    /// otherwise the newest before <paramref name="before"/>.
    /// </summary>
    public async Task<(List<MessageDto> Items, bool HasMore)> ListHistoryAsync(
        string roomId, DateTime? clearedAt, HistoryPosition? before, HistoryPosition? after, int limit, CancellationToken cancellationToken)
    {
        string condition;
        var ascending = after is not null;
        var position = after ?? before;
        if (position is null)
        {
            condition = "";
        }
        else if (position.Value.Id is null)
        {
            condition = ascending ? "AND m.created_at > $4" : "AND m.created_at < $4";
        }
        else
        {
            condition = ascending ? "AND (m.created_at, m.id) > ($4, $5)" : "AND (m.created_at, m.id) < ($4, $5)";
        }

        var order = ascending ? "m.created_at ASC, m.id ASC" : "m.created_at DESC, m.id DESC";
        // Only trusted constant fragments are interpolated; every value is a parameter.
        var sql = $"""
            SELECT {MessageColumns}
            FROM messages m
            WHERE m.room_id = $1
              AND ($2::timestamptz IS NULL OR m.created_at >= $2)
              {condition}
            ORDER BY {order}
            LIMIT $3
            """;

        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)clearedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz,
        });
        command.Parameters.Add(new NpgsqlParameter { Value = limit + 1 });
        if (position is { } p)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p.CreatedAt, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            if (p.Id is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = p.Id });
            }
        }

        var items = new List<MessageDto>(Math.Min(limit + 1, 128));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(ReadMessage(reader));
            }
        }

        var hasMore = items.Count > limit;
        if (hasMore)
        {
            items.RemoveAt(items.Count - 1);
        }

        if (ascending)
        {
            items.Reverse();
        }

        return (await AttachExtrasAsync(items, cancellationToken), hasMore);
    }

    /// <summary>The reader's clear-history cut-off in a room, and whether they may read it at all.</summary>
    public async Task<(bool IsMember, DateTime? ClearedAt)> GetReaderStateAsync(
        string roomId, string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT r.created_by_id = $2 OR m.member_id IS NOT NULL, m.cleared_at
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

        return (reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetDateTime(1));
    }

    internal async Task<List<MessageDto>> AttachExtrasAsync(List<MessageDto> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return items;
        }

        const string sql = """
            SELECT 'a', a.id, a.message_id, a.filename, a.mime_type, a.size, a.url, NULL::text[], NULL::text[]
            FROM message_attachments a
            WHERE a.message_id = ANY($1)
            UNION ALL
            SELECT 'r', NULL, r.message_id, r.emoji, NULL, NULL, NULL,
                array_agg(r.user_id ORDER BY r.created_at), array_agg(u.username ORDER BY r.created_at)
            FROM message_reactions r
            JOIN users u ON u.id = r.user_id
            WHERE r.message_id = ANY($1)
            GROUP BY r.message_id, r.emoji
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = items.Select(m => m.Id).ToArray() });
        var attachments = new Dictionary<string, List<AttachmentDto>>();
        var reactions = new Dictionary<string, List<ReactionDto>>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var messageId = reader.GetString(2);
                if (reader.GetString(0) == "a")
                {
                    Bucket(attachments, messageId).Add(new AttachmentDto(
                        reader.GetString(1), messageId, reader.GetString(3), reader.GetString(4), reader.GetInt32(5), reader.GetString(6)));
                }
                else
                {
                    Bucket(reactions, messageId).Add(
                        new ReactionDto(reader.GetString(3), reader.GetFieldValue<string[]>(7), reader.GetFieldValue<string[]>(8)));
                }
            }
        }

        if (attachments.Count == 0 && reactions.Count == 0)
        {
            return items;
        }

        return items.Select(m => m with
        {
            Attachments = attachments.GetValueOrDefault(m.Id),
            Reactions = reactions.GetValueOrDefault(m.Id),
        }).ToList();
    }

    private static List<T> Bucket<T>(Dictionary<string, List<T>> map, string key)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        return list;
    }

    internal static MessageDto ReadMessage(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        RoomId = reader.GetString(1),
        SenderId = reader.GetString(2),
        SenderType = reader.GetString(3),
        SenderName = reader.GetString(4),
        Type = reader.GetString(5),
        Content = reader.GetString(6),
        ReplyToId = reader.IsDBNull(7) ? null : reader.GetString(7),
        Mentions = JsonSerializer.Deserialize(reader.GetString(8), ApiJson.Default.IReadOnlyListString) ?? [],
        Chunks = reader.IsDBNull(9) ? null : new RawJson(reader.GetString(9)),
        CreatedAt = reader.GetDateTime(10),
        UpdatedAt = reader.IsDBNull(11) ? null : reader.GetDateTime(11),
    };

    internal static AttachmentDto ReadAttachment(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetString(5));
}
