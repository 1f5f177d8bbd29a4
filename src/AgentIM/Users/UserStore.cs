using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using Npgsql;

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
    public async Task RecordFailedLoginAsync(string id, CancellationToken cancellationToken)
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
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
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
