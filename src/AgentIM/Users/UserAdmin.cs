using AgentIM.Auth;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using AgentIM.Uploads;
using Npgsql;

namespace AgentIM.Users;

/// <summary>A user as the admin CLI lists it.</summary>
public sealed record AdminUserRow(
    string Id,
    string Username,
    string DisplayName,
    string Role,
    DateTime CreatedAt,
    DateTime? DisabledAt,
    DateTime? LockedUntil,
    int FailedLoginAttempts);

/// <summary>What an admin change came to.</summary>
public enum UserAdminOutcome
{
    Done,
    NotFound,
    Taken,
    LastAdmin,
}

/// <summary>
/// SQL for the admin CLI (<c>agentim user …</c>), which works on the database directly, never through the HTTP
/// API. Disabling, deleting and a password change revoke every session of the user: the per-user "revoked
/// before" instant rejects access tokens already issued and the refresh tokens go (decisions.md).
/// </summary>
public sealed class UserAdmin(HubDatabase database)
{
    public const string AdminRole = "admin";
    public const string UserRole = "user";

    private const string Columns = """
        id, username, display_name, role, created_at, disabled_at, locked_until, failed_login_attempts
        """;

    // Counted inside the statement that would remove one, so two admins cannot both be removed at once unnoticed.
    private const string OtherActiveAdmins = """
        (SELECT count(*) FROM users o WHERE o.role = 'admin' AND o.disabled_at IS NULL AND o.id <> u.id)
        """;

    public async Task<IReadOnlyList<AdminUserRow>> ListAsync(CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns}
            FROM users
            ORDER BY lower(username)
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<AdminUserRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    public async Task<AdminUserRow?> FindAsync(string username, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns}
            FROM users
            WHERE lower(username) = lower($1)
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = username });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Creates a user; <see cref="UserAdminOutcome.Taken"/> when the name exists in any letter case.</summary>
    public async Task<UserAdminOutcome> AddAsync(
        string username, string passwordHash, string displayName, string role, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO users (id, username, password_hash, display_name, role, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            ON CONFLICT DO NOTHING
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = Ids.New() });
        command.Parameters.Add(new NpgsqlParameter { Value = username });
        command.Parameters.Add(new NpgsqlParameter { Value = passwordHash });
        command.Parameters.Add(new NpgsqlParameter { Value = displayName });
        command.Parameters.Add(new NpgsqlParameter { Value = role });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? UserAdminOutcome.Done : UserAdminOutcome.Taken;
    }

    /// <summary>Sets a new password, clears a lock and revokes every session.</summary>
    public Task<UserAdminOutcome> SetPasswordAsync(string username, string passwordHash, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE users u
            SET password_hash = $3, failed_login_attempts = 0, locked_until = NULL, updated_at = $2, sessions_revoked_at = $2
            WHERE lower(u.username) = lower($1)
            RETURNING u.id
            """;
        return UpdateAsync(sql, username, revoke: true, [passwordHash], cancellationToken);
    }

    /// <summary>Changes the role; the last active admin cannot be demoted.</summary>
    public Task<UserAdminOutcome> SetRoleAsync(string username, string role, CancellationToken cancellationToken)
    {
        const string sql = $"""
            UPDATE users u
            SET role = $3, updated_at = $2
            WHERE lower(u.username) = lower($1)
                AND ($3 = 'admin' OR u.role <> 'admin' OR u.disabled_at IS NOT NULL OR {OtherActiveAdmins} > 0)
            RETURNING u.id
            """;
        return UpdateAsync(sql, username, revoke: false, [role], cancellationToken);
    }

    /// <summary>Disables the user (logins are refused) and revokes every session; the last active admin stays.</summary>
    public Task<UserAdminOutcome> DisableAsync(string username, CancellationToken cancellationToken)
    {
        const string sql = $"""
            UPDATE users u
            SET disabled_at = COALESCE(u.disabled_at, $2), updated_at = $2, sessions_revoked_at = $2
            WHERE lower(u.username) = lower($1)
                AND (u.role <> 'admin' OR u.disabled_at IS NOT NULL OR {OtherActiveAdmins} > 0)
            RETURNING u.id
            """;
        return UpdateAsync(sql, username, revoke: true, [], cancellationToken);
    }

    public Task<UserAdminOutcome> EnableAsync(string username, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE users u
            SET disabled_at = NULL, updated_at = $2
            WHERE lower(u.username) = lower($1)
            RETURNING u.id
            """;
        return UpdateAsync(sql, username, revoke: false, [], cancellationToken);
    }

    /// <summary>Ends a lock after too many wrong passwords, and the count that leads to one.</summary>
    public Task<UserAdminOutcome> UnlockAsync(string username, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE users u
            SET failed_login_attempts = 0, locked_until = NULL, updated_at = $2
            WHERE lower(u.username) = lower($1)
            RETURNING u.id
            """;
        return UpdateAsync(sql, username, revoke: false, [], cancellationToken);
    }

    /// <summary>
    /// Deletes the user the way <c>DELETE /api/users/:id</c> does (UserStore.DeleteAsync: their rooms, tasks,
    /// memberships and unlinked uploads go with them, tokens cascade), and removes their files from
    /// <paramref name="uploads"/> when given: attachments that went with the rows, and their avatars. Running hubs
    /// close the user's sockets on the NOTIFY sent first. The last active admin cannot be deleted.
    /// </summary>
    public async Task<UserAdminOutcome> DeleteAsync(string username, CancellationToken cancellationToken, UploadStorage? uploads = null)
    {
        const string sql = $"""
            SELECT u.id, pg_notify('{RevocationNotices.Channel}', 'u:' || u.id || ':' || $2::text)
            FROM users u
            WHERE lower(u.username) = lower($1)
                AND (u.role <> 'admin' OR u.disabled_at IS NOT NULL OR {OtherActiveAdmins} > 0)
            """;
        string? id;
        await using (var command = database.DataSource.CreateCommand(sql))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = username });
            var revokedAtMs = Clock.ToUnixMs(Clock.UtcNow());
            command.Parameters.Add(new NpgsqlParameter { Value = revokedAtMs.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            id = await command.ExecuteScalarAsync(cancellationToken) as string;
        }

        if (id is null || await new UserStore(database).DeleteAsync(id, cancellationToken) is not { } deletion)
        {
            return await FindAsync(username, cancellationToken) is null ? UserAdminOutcome.NotFound : UserAdminOutcome.LastAdmin;
        }

        if (uploads is not null)
        {
            uploads.DeleteUrls(deletion.FileUrls);
            uploads.DeleteAvatars(id, keep: null);
        }

        return UserAdminOutcome.Done;
    }

    /// <summary>
    /// Runs an UPDATE of one user ($1 the name, $2 now, then <paramref name="arguments"/>), revoking sessions when asked.
    /// </summary>
    private async Task<UserAdminOutcome> UpdateAsync(
        string sql, string username, bool revoke, string[] arguments, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string? id;
        var now = Clock.UtcNow();
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = username });
            command.Parameters.Add(new NpgsqlParameter { Value = now });
            foreach (var argument in arguments)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = argument });
            }
            id = await command.ExecuteScalarAsync(cancellationToken) as string;
        }

        if (id is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return await FindAsync(username, cancellationToken) is null ? UserAdminOutcome.NotFound : UserAdminOutcome.LastAdmin;
        }

        if (revoke)
        {
            await using var tokens = new NpgsqlCommand("DELETE FROM refresh_tokens WHERE user_id = $1", connection, transaction);
            tokens.Parameters.Add(new NpgsqlParameter { Value = id });
            await tokens.ExecuteNonQueryAsync(cancellationToken);

            // Heard by every running hub on commit: the user's sockets close within a second (RevocationNotices).
            await using var notify = new NpgsqlCommand($"SELECT pg_notify('{RevocationNotices.Channel}', $1)", connection, transaction);
            notify.Parameters.Add(new NpgsqlParameter { Value = RevocationNotices.ForUser(id, now) });
            await notify.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return UserAdminOutcome.Done;
    }

    private static AdminUserRow Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetDateTime(4),
        reader.IsDBNull(5) ? null : reader.GetDateTime(5),
        reader.IsDBNull(6) ? null : reader.GetDateTime(6),
        reader.GetInt32(7));
}
