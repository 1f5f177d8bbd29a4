using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Messages;

public enum ReactionOutcome
{
    Added,
    Removed,
    LimitReached,
    MessageGone,
}

/// <summary>A message that was deleted: its room, and the files of its attachments to remove.</summary>
public sealed record DeletedMessages(IReadOnlyList<(string Id, string RoomId)> Messages, IReadOnlyList<string> AttachmentUrls);

/// <summary>SQL that changes messages from the REST routes: edits, deletions, reactions and read marks.</summary>
public sealed class MessageChanges(HubDatabase database)
{
    /// <summary>Distinct emojis one user may put on one message (rest-api.md #43).</summary>
    public const int MaxReactionsPerUser = 20;

    /// <summary>
    /// Replaces the text of a user's own message, keeping the previous text in <c>message_edits</c>; one statement, so
    /// the row lock orders concurrent edits and each one's history row holds the text it replaced. Null when the
    /// message is gone or is not that user's.
    /// </summary>
    public async Task<MessageDto?> EditAsync(string messageId, string userId, string content, CancellationToken cancellationToken)
    {
        const string sql = $"""
            WITH previous AS (
                SELECT id, content
                FROM messages
                WHERE id = $1 AND sender_id = $2 AND sender_type = 'user'
                FOR UPDATE
            ), history AS (
                INSERT INTO message_edits (id, message_id, previous_content, edited_at)
                SELECT $4, p.id, p.content, $5
                FROM previous p
            )
            UPDATE messages AS m
            SET content = $3,
                updated_at = $5
            FROM previous p
            WHERE m.id = p.id
            RETURNING {MessageStore.MessageColumns}
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = messageId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = content });
        command.Parameters.Add(new NpgsqlParameter { Value = Ids.New() });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? MessageStore.ReadMessage(reader) : null;
    }

    /// <summary>Deletes messages of one room and returns which went, with the URLs of their attachments' files.</summary>
    public async Task<DeletedMessages> DeleteAsync(string roomId, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        const string sql = """
            WITH gone AS (
                DELETE FROM messages
                WHERE id = ANY($1) AND room_id = $2
                RETURNING id, room_id
            )
            SELECT g.id, g.room_id, NULL::text FROM gone g
            UNION ALL
            SELECT NULL, NULL, a.url
            FROM message_attachments a
            JOIN gone g ON g.id = a.message_id
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var messages = new List<(string, string)>();
        var urls = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.IsDBNull(0))
            {
                urls.Add(reader.GetString(2));
            }
            else
            {
                messages.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        return new DeletedMessages(messages, urls);
    }

    /// <summary>
    /// Adds the user's reaction, or removes it when it is there. The message row is locked, so two toggles of one
    /// user cannot both pass the limit.
    /// </summary>
    public async Task<ReactionOutcome> ToggleReactionAsync(
        string messageId, string userId, string emoji, CancellationToken cancellationToken)
    {
        const string lockMessage = "SELECT 1 FROM messages WHERE id = $1 FOR UPDATE";
        const string remove = "DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3";
        const string count = "SELECT count(DISTINCT emoji) FROM message_reactions WHERE message_id = $1 AND user_id = $2";
        const string insert = """
            INSERT INTO message_reactions (message_id, user_id, emoji, created_at)
            VALUES ($1, $2, $3, $4)
            """;

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await ScalarAsync(connection, transaction, lockMessage, cancellationToken, messageId) is null)
        {
            return ReactionOutcome.MessageGone;
        }

        if (await ExecuteAsync(connection, transaction, remove, cancellationToken, messageId, userId, emoji) > 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return ReactionOutcome.Removed;
        }

        if ((long)(await ScalarAsync(connection, transaction, count, cancellationToken, messageId, userId))! >= MaxReactionsPerUser)
        {
            return ReactionOutcome.LimitReached;
        }

        await ExecuteAsync(connection, transaction, insert, cancellationToken, messageId, userId, emoji, Clock.UtcNow());
        await transaction.CommitAsync(cancellationToken);
        return ReactionOutcome.Added;
    }

    /// <summary>Marks one room read for a user member; false when the user has no membership row there.</summary>
    public async Task<bool> MarkReadAsync(string roomId, string userId, DateTime at, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE room_members
            SET last_read_at = $3
            WHERE room_id = $1 AND member_id = $2 AND member_type = 'user'
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = at });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Marks every room of a user read and returns those rooms.</summary>
    public async Task<List<string>> MarkAllReadAsync(string userId, DateTime at, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE room_members
            SET last_read_at = $2
            WHERE member_id = $1 AND member_type = 'user'
            RETURNING room_id
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = at });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rooms = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rooms.Add(reader.GetString(0));
        }

        return rooms;
    }

    private static async Task<object?> ScalarAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<int> ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
