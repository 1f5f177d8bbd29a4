using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Uploads;

/// <summary>An upload's row as the download route needs it.</summary>
public sealed record StoredUpload(string Filename, string MimeType);

/// <summary>SQL for uploads: <c>message_attachments</c> rows (unlinked until a message takes them) and users' avatars.</summary>
public sealed class UploadStore(HubDatabase database)
{
    /// <summary>Records an unlinked upload of <paramref name="userId"/> (rest-api.md #64).</summary>
    public async Task InsertAsync(
        string id,
        string filename,
        string mimeType,
        long size,
        string url,
        string userId,
        DateTime createdAt,
        CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO message_attachments (id, message_id, filename, mime_type, size, url, uploaded_by, created_at)
            VALUES ($1, NULL, $2, $3, $4, $5, $6, $7)
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = filename });
        command.Parameters.Add(new NpgsqlParameter { Value = mimeType });
        command.Parameters.Add(new NpgsqlParameter { Value = checked((int)size) });
        command.Parameters.Add(new NpgsqlParameter { Value = url });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = createdAt });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Points the user's avatar at <paramref name="url"/>; false when the user no longer exists.</summary>
    public async Task<bool> SetAvatarAsync(string userId, string url, DateTime now, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE users
            SET avatar_url = $2,
                updated_at = $3
            WHERE id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = url });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The row of the upload stored under <paramref name="url"/> (its id is the stored name's stem), or null.</summary>
    public async Task<StoredUpload?> FindAsync(string id, string url, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT filename, mime_type
            FROM message_attachments
            WHERE id = $1
              AND url = $2
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = url });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new StoredUpload(reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Deletes uploads never attached to a message and older than <paramref name="cutoff"/>; returns their URLs so
    /// the files can go too. A message sent at the same moment either links a row first or finds it gone.
    /// </summary>
    public async Task<List<string>> DeleteOrphansAsync(DateTime cutoff, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM message_attachments
            WHERE message_id IS NULL
              AND created_at < $1
            RETURNING url
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = cutoff });
        var urls = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            urls.Add(reader.GetString(0));
        }

        return urls;
    }
}
