using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using Npgsql;
using NpgsqlTypes;

namespace AgentIM.Users;

/// <summary>A row of <c>users</c>.</summary>
public sealed record UserRow(
    string Id,
    string Username,
    string? PasswordHash,
    string DisplayName,
    string? AvatarUrl,
    string Role,
    int FailedLoginAttempts,
    DateTime? LockedUntil,
    bool TotpEnabled,
    int? MaxWsConnections,
    int? MaxGateways,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DisabledAt)
{
    public bool IsAdmin => Role == "admin";
}

/// <summary>What deleting a user took with it, for the sockets and files to catch up.</summary>
public sealed record UserDeletion(
    IReadOnlyList<DeletedRoom> DeletedRooms, IReadOnlyList<string> ChangedRoomIds, IReadOnlyList<string> FileUrls);

/// <summary>A deleted room and the users who were its members.</summary>
public sealed record DeletedRoom(string RoomId, IReadOnlyList<string> UserIds);

/// <summary>SQL for the <c>users</c> table. Usernames are unique regardless of letter case (case B19).</summary>
public sealed class UserStore(HubDatabase database)
{
    private const string Columns = """
        id, username, password_hash, display_name, avatar_url, role, failed_login_attempts, locked_until,
        totp_enabled, max_ws_connections, max_gateways, created_at, updated_at, disabled_at
        """;

    public Task<UserRow?> FindByIdAsync(string id, CancellationToken cancellationToken) =>
        FindAsync($"SELECT {Columns} FROM users WHERE id = $1", id, cancellationToken);

    public Task<UserRow?> FindByUsernameAsync(string username, CancellationToken cancellationToken) =>
        FindAsync($"SELECT {Columns} FROM users WHERE lower(username) = lower($1)", username, cancellationToken);

    /// <summary>Inserts a user; returns null when the name is taken in any letter case.</summary>
    public async Task<UserRow?> InsertAsync(
        string username, string passwordHash, string displayName, string role, CancellationToken cancellationToken)
    {
        const string sql = $"""
            INSERT INTO users (id, username, password_hash, display_name, role, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            ON CONFLICT DO NOTHING
            RETURNING {Columns}
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = Ids.New() });
        command.Parameters.Add(new NpgsqlParameter { Value = username });
        command.Parameters.Add(new NpgsqlParameter { Value = passwordHash });
        command.Parameters.Add(new NpgsqlParameter { Value = displayName });
        command.Parameters.Add(new NpgsqlParameter { Value = role });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task SetPasswordAndRoleAsync(string id, string passwordHash, string role, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE users
            SET password_hash = $2, role = $3, updated_at = $4
            WHERE id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = passwordHash });
        command.Parameters.Add(new NpgsqlParameter { Value = role });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Counts a wrong password; five in a row lock the account for 15 minutes. A wrong password after a lock
    /// has expired starts a fresh count instead of re-locking at once (an upstream quirk we do not copy).
    /// </summary>
    /// <summary>Counts a wrong password; returns the attempts counted so far and whether the account is now locked.</summary>
    public async Task<(int Attempts, bool Locked)> RecordFailedLoginAsync(string id, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE users
            SET failed_login_attempts = CASE
                    WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1
                    ELSE failed_login_attempts + 1
                END,
                locked_until = CASE
                    WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN NULL
                    WHEN failed_login_attempts + 1 >= 5 THEN $2 + interval '15 minutes'
                    ELSE locked_until
                END
            WHERE id = $1
            RETURNING failed_login_attempts, locked_until IS NOT NULL AND locked_until > $2
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt32(0), reader.GetBoolean(1)) : (0, false);
    }

    public async Task ResetFailedLoginsAsync(string id, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE users
            SET failed_login_attempts = 0, locked_until = NULL
            WHERE id = $1 AND (failed_login_attempts <> 0 OR locked_until IS NOT NULL)
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Changes the caller's own display name and avatar; null leaves a field as it is.</summary>
    public async Task<UserRow?> UpdateProfileAsync(string id, string? displayName, string? avatarUrl, CancellationToken cancellationToken)
    {
        const string sql = $"""
            UPDATE users
            SET display_name = coalesce($2, display_name),
                avatar_url = coalesce($3, avatar_url),
                updated_at = $4
            WHERE id = $1
            RETURNING {Columns}
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(NullableParameter(displayName, NpgsqlDbType.Text));
        command.Parameters.Add(NullableParameter(avatarUrl, NpgsqlDbType.Text));
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>The caller's linked OAuth sign-ins, oldest first.</summary>
    public async Task<List<OAuthAccount>> ListOAuthAccountsAsync(string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, provider, provider_account_id, email, display_name, avatar_url, created_at, updated_at
            FROM oauth_accounts
            WHERE user_id = $1
            ORDER BY created_at, id
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<OAuthAccount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new OAuthAccount(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetDateTime(6),
                reader.GetDateTime(7)));
        }

        return list;
    }

    /// <summary>Up to ten other users whose username or display name contains <paramref name="query"/>, ignoring case.</summary>
    public async Task<List<UserSearchResult>> SearchAsync(string callerId, string query, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, username, display_name, avatar_url
            FROM users
            WHERE id <> $1
              AND (username ILIKE $2 ESCAPE '\' OR display_name ILIKE $2 ESCAPE '\')
            ORDER BY lower(username)
            LIMIT 10
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = callerId });
        command.Parameters.Add(new NpgsqlParameter { Value = $"%{EscapeLike(query)}%" });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var users = new List<UserSearchResult>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var avatarUrl = reader.IsDBNull(3) ? null : reader.GetString(3);
            users.Add(new UserSearchResult(reader.GetString(0), reader.GetString(1), reader.GetString(2), avatarUrl));
        }

        return users;
    }

    /// <summary>A page of every user, oldest first, and how many users there are.</summary>
    public async Task<(List<UserRow> Users, long Total)> ListAsync(int limit, int offset, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns}, count(*) OVER ()
            FROM users
            ORDER BY created_at, id
            LIMIT $1
            OFFSET $2
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = offset });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var users = new List<UserRow>();
        long total = -1;
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(Read(reader));
            total = reader.GetInt64(14);
        }

        if (total < 0)
        {
            // The page is past the end: the window count came with no row, so count on its own.
            await using var count = database.DataSource.CreateCommand("SELECT count(*) FROM users");
            total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        return (users, total);
    }

    /// <summary>An admin's change to a user; returns the updated row, or null when there is no such user.</summary>
    public async Task<UserRow?> UpdateAsync(string id, UserUpdate update, CancellationToken cancellationToken)
    {
        const string sql = $"""
            UPDATE users
            SET display_name = coalesce($2, display_name),
                role = coalesce($3, role),
                password_hash = coalesce($4, password_hash),
                max_ws_connections = CASE WHEN $5 THEN $6 ELSE max_ws_connections END,
                max_gateways = CASE WHEN $7 THEN $8 ELSE max_gateways END,
                updated_at = $9
            WHERE id = $1
            RETURNING {Columns}
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(NullableParameter(update.DisplayName, NpgsqlDbType.Text));
        command.Parameters.Add(NullableParameter(update.Role, NpgsqlDbType.Text));
        command.Parameters.Add(NullableParameter(update.PasswordHash, NpgsqlDbType.Text));
        command.Parameters.Add(new NpgsqlParameter { Value = update.MaxWsConnections.Present });
        command.Parameters.Add(NullableParameter(update.MaxWsConnections.Value, NpgsqlDbType.Integer));
        command.Parameters.Add(new NpgsqlParameter { Value = update.MaxGateways.Present });
        command.Parameters.Add(NullableParameter(update.MaxGateways.Value, NpgsqlDbType.Integer));
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task SetPasswordAsync(string id, string passwordHash, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = passwordHash });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes a user and what hangs on them (rest-api.md #25) in one transaction: rooms they created (with their
    /// members, messages and tasks), their tasks, their task assignments, their memberships and those of their agents,
    /// their unlinked uploads; then the user row, whose cascades take tokens, gateways, agents, routers and bookmarks.
    /// Returns null when there is no such user.
    /// </summary>
    public async Task<UserDeletion?> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        const string deletedRooms = """
            SELECT r.id, coalesce(array_agg(m.member_id) FILTER (WHERE m.member_type = 'user'), '{}')
            FROM rooms r
            LEFT JOIN room_members m ON m.room_id = r.id
            WHERE r.created_by_id = $1
            GROUP BY r.id
            """;
        const string files = """
            SELECT a.url
            FROM message_attachments a
            LEFT JOIN messages msg ON msg.id = a.message_id
            LEFT JOIN rooms r ON r.id = msg.room_id
            WHERE (a.uploaded_by = $1 AND a.message_id IS NULL)
               OR r.created_by_id = $1
            """;
        const string changedRooms = """
            SELECT DISTINCT m.room_id
            FROM room_members m
            JOIN rooms r ON r.id = m.room_id AND r.created_by_id <> $1
            WHERE (m.member_type = 'user' AND m.member_id = $1)
               OR (m.member_type = 'agent' AND m.member_id IN (
                    SELECT a.id FROM agents a JOIN gateways g ON g.id = a.gateway_id WHERE g.user_id = $1))
            """;
        // One statement per batch command: positional parameters do not span statements.
        string[] deletes =
        [
            "DELETE FROM message_attachments WHERE uploaded_by = $1 AND message_id IS NULL",
            "DELETE FROM rooms WHERE created_by_id = $1",
            "DELETE FROM tasks WHERE created_by_id = $1",
            """
            UPDATE tasks
            SET assignee_id = NULL, assignee_type = NULL
            WHERE (assignee_type = 'user' AND assignee_id = $1)
               OR (assignee_type = 'agent' AND assignee_id IN (
                    SELECT a.id FROM agents a JOIN gateways g ON g.id = a.gateway_id WHERE g.user_id = $1))
            """,
            """
            DELETE FROM room_members
            WHERE (member_type = 'user' AND member_id = $1)
               OR (member_type = 'agent' AND member_id IN (
                    SELECT a.id FROM agents a JOIN gateways g ON g.id = a.gateway_id WHERE g.user_id = $1))
            """,
            "DELETE FROM users WHERE id = $1",
        ];


        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", connection, transaction))
        {
            lockRow.Parameters.Add(new NpgsqlParameter { Value = id });
            if (await lockRow.ExecuteScalarAsync(cancellationToken) is null)
            {
                return null;
            }
        }

        var rooms = new List<DeletedRoom>();
        await foreach (var row in QueryAsync(connection, transaction, deletedRooms, id, cancellationToken))
        {
            rooms.Add(new DeletedRoom(row.GetString(0), row.GetFieldValue<string[]>(1)));
        }

        var urls = new List<string>();
        await foreach (var row in QueryAsync(connection, transaction, files, id, cancellationToken))
        {
            urls.Add(row.GetString(0));
        }

        var changed = new List<string>();
        await foreach (var row in QueryAsync(connection, transaction, changedRooms, id, cancellationToken))
        {
            changed.Add(row.GetString(0));
        }

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            foreach (var sql in deletes)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(sql) { Parameters = { new NpgsqlParameter { Value = id } } });
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new UserDeletion(rooms, changed, urls);
    }

    private static async IAsyncEnumerable<NpgsqlDataReader> QueryAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string sql,
        string id,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return reader;
        }
    }

    private static NpgsqlParameter NullableParameter(object? value, NpgsqlDbType type) =>
        new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);

    private async Task<UserRow?> FindAsync(string sql, string argument, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = argument });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static UserRow Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetString(5),
        reader.GetInt32(6),
        reader.IsDBNull(7) ? null : reader.GetDateTime(7),
        reader.GetBoolean(8),
        reader.IsDBNull(9) ? null : reader.GetInt32(9),
        reader.IsDBNull(10) ? null : reader.GetInt32(10),
        reader.GetDateTime(11),
        reader.GetDateTime(12),
        reader.IsDBNull(13) ? null : reader.GetDateTime(13));
}
