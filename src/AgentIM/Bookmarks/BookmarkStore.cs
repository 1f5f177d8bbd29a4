using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using AgentIM.Messages;
using Npgsql;

namespace AgentIM.Bookmarks;

/// <summary>
/// SQL for <c>bookmarks</c>. A bookmark is only shown, and only made, for a message in a room the user is in now
/// (a user membership row, or the room's creator).
/// </summary>
public sealed class BookmarkStore(HubDatabase database)
{
    public const int MaxPerUser = 500;

    private const string InRoomOfUser = """
        (r.created_by_id = $1
         OR EXISTS (
             SELECT 1
             FROM room_members rm
             WHERE rm.room_id = r.id AND rm.member_id = $1 AND rm.member_type = 'user'))
        """;

    /// <summary>
    /// The user's bookmarks newest first, after <paramref name="before"/> when given; one extra row tells if there is more.
    /// </summary>
    public async Task<(List<BookmarkItem> Items, bool HasMore)> ListAsync(
        string userId, HistoryPosition? before, int limit, CancellationToken cancellationToken)
    {
        var condition = before switch
        {
            null => "",
            { Id: null } => "AND b.created_at < $3",
            _ => "AND (b.created_at, b.id) < ($3, $4)",
        };
        // Only trusted constant fragments are interpolated; every value is a parameter.
        var sql = $"""
            SELECT b.id, b.user_id, b.message_id, b.note, b.created_at, m.room_id, m.sender_name, m.content, m.created_at
            FROM bookmarks b
            JOIN messages m ON m.id = b.message_id
            JOIN rooms r ON r.id = m.room_id
            WHERE b.user_id = $1
              AND {InRoomOfUser}
              {condition}
            ORDER BY b.created_at DESC, b.id DESC
            LIMIT $2
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = limit + 1 });
        if (before is { } position)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = position.CreatedAt, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            if (position.Id is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = position.Id });
            }
        }

        var items = new List<BookmarkItem>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new BookmarkItem(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetDateTime(4),
                    new BookmarkedMessage(reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetDateTime(8))));
            }
        }

        var hasMore = items.Count > limit;
        if (hasMore)
        {
            items.RemoveAt(items.Count - 1);
        }

        return (items, hasMore);
    }

    /// <summary>
    /// Bookmarks a message. The user's bookmarks are counted and written under a per-user transaction lock, so two
    /// concurrent requests cannot pass the limit together.
    /// </summary>
    public async Task<(CreateBookmarkOutcome Outcome, BookmarkDto? Bookmark)> CreateAsync(
        string userId, string messageId, string note, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock(hashtextextended('bookmarks:' || $1, 0))", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = userId });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        const string stateSql = $"""
            SELECT
                EXISTS (
                    SELECT 1
                    FROM messages m
                    JOIN rooms r ON r.id = m.room_id
                    WHERE m.id = $2
                      AND {InRoomOfUser}),
                EXISTS (SELECT 1 FROM bookmarks WHERE user_id = $1 AND message_id = $2),
                (SELECT count(*) FROM bookmarks WHERE user_id = $1)
            """;
        bool visible, exists;
        long count;
        await using (var command = new NpgsqlCommand(stateSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = userId });
            command.Parameters.Add(new NpgsqlParameter { Value = messageId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (visible, exists, count) = (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetInt64(2));
        }

        if (!visible)
        {
            return (CreateBookmarkOutcome.MessageNotFound, null);
        }

        if (exists)
        {
            return (CreateBookmarkOutcome.AlreadyExists, null);
        }

        if (count >= MaxPerUser)
        {
            return (CreateBookmarkOutcome.LimitReached, null);
        }

        var bookmark = new BookmarkDto(Ids.New(), userId, messageId, note, Clock.UtcNow());
        const string insertSql = """
            INSERT INTO bookmarks (id, user_id, message_id, note, created_at)
            VALUES ($1, $2, $3, $4, $5)
            """;
        await using (var command = new NpgsqlCommand(insertSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = bookmark.Id });
            command.Parameters.Add(new NpgsqlParameter { Value = userId });
            command.Parameters.Add(new NpgsqlParameter { Value = messageId });
            command.Parameters.Add(new NpgsqlParameter { Value = note });
            command.Parameters.Add(new NpgsqlParameter { Value = bookmark.CreatedAt });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (CreateBookmarkOutcome.Created, bookmark);
    }

    /// <summary>Deletes one of the user's bookmarks; false when the user has none with that id.</summary>
    public async Task<bool> DeleteAsync(string bookmarkId, string userId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("DELETE FROM bookmarks WHERE id = $1 AND user_id = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = bookmarkId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
