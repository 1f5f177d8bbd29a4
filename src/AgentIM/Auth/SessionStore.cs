using System.Security.Cryptography;
using System.Text;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Auth;

/// <summary>The refresh token a rotation consumed: whose it was and which session it belongs to.</summary>
public sealed record ConsumedRefreshToken(string UserId, string SessionId, DateTime ExpiresAt);

/// <summary>
/// SQL for refresh tokens and revocations. Refresh tokens are 256-bit random values stored as SHA-256 hex:
/// slow hashing adds nothing for random secrets, and a hash lookup lets rotation be one atomic DELETE
/// (decisions.md, case B07).
/// </summary>
public sealed class SessionStore(HubDatabase database)
{
    private const int MaxRefreshTokensPerUser = 10;

    public static string NewRefreshToken() => Base64UrlToken(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Stores a refresh token for a new login, keeping at most ten per user (the oldest go).</summary>
    public async Task InsertForLoginAsync(
        string userId, string sessionId, string token, DateTime expiresAt, CancellationToken cancellationToken)
    {
        const string trim = """
            DELETE FROM refresh_tokens
            WHERE id IN (
                SELECT id FROM refresh_tokens
                WHERE user_id = $1
                ORDER BY created_at DESC
                OFFSET $2
            )
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(trim, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = userId });
            command.Parameters.Add(new NpgsqlParameter { Value = MaxRefreshTokensPerUser - 1 });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertAsync(connection, transaction, userId, sessionId, token, expiresAt, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Consumes a refresh token and stores its successor in one transaction. The DELETE … RETURNING is the
    /// arbiter: of two concurrent refreshes with the same token exactly one gets the row, the other null at once.
    /// </summary>
    public async Task<ConsumedRefreshToken?> RotateAsync(
        string presented, string successor, DateTime successorExpiresAt, CancellationToken cancellationToken)
    {
        const string consume = """
            DELETE FROM refresh_tokens
            WHERE token_hash = $1
            RETURNING user_id, session_id, expires_at
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        ConsumedRefreshToken? consumed = null;
        await using (var command = new NpgsqlCommand(consume, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = Hash(presented) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                consumed = new ConsumedRefreshToken(reader.GetString(0), reader.GetString(1), reader.GetDateTime(2));
            }
        }

        if (consumed is null || consumed.ExpiresAt <= DateTime.UtcNow)
        {
            // An expired token is consumed too: it can never be used again.
            await transaction.CommitAsync(cancellationToken);
            return consumed is null ? null : consumed with { ExpiresAt = DateTime.MinValue };
        }

        await InsertAsync(connection, transaction, consumed.UserId, consumed.SessionId, successor, successorExpiresAt, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return consumed;
    }

    public async Task DeleteSessionAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("DELETE FROM refresh_tokens WHERE user_id = $1 AND session_id = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteByTokenAsync(string userId, string token, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("DELETE FROM refresh_tokens WHERE user_id = $1 AND token_hash = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = Hash(token) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records a logout; the NOTIFY in the same batch tells every hub process at once (<see cref="RevocationNotices"/>).</summary>
    public async Task RecordSessionRevokedAsync(string userId, string sessionId, DateTime expiresAt, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO revoked_tokens (id, user_id, session_id, revoked_at, expires_at)
            VALUES ($1, $2, $3, $4, $5)
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(sql)
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = Ids.New() },
                        new NpgsqlParameter { Value = userId },
                        new NpgsqlParameter { Value = sessionId },
                        new NpgsqlParameter { Value = Clock.UtcNow() },
                        new NpgsqlParameter { Value = expiresAt },
                    },
                },
                RevocationNotices.Command(RevocationNotices.ForSession(userId, sessionId, expiresAt)),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Marks every access token of the user issued up to <paramref name="at"/> as revoked and ends every refresh token.</summary>
    public async Task RecordUserRevokedAsync(string userId, DateTime at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("UPDATE users SET sessions_revoked_at = $2 WHERE id = $1")
                {
                    Parameters = { new NpgsqlParameter { Value = userId }, new NpgsqlParameter { Value = at } },
                },
                new NpgsqlBatchCommand("DELETE FROM refresh_tokens WHERE user_id = $1")
                {
                    Parameters = { new NpgsqlParameter { Value = userId } },
                },
                RevocationNotices.Command(RevocationNotices.ForUser(userId, at)),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Revocations still in force, for a process that starts after they were made.</summary>
    public async Task<(List<(string UserId, DateTime At)> Users, List<(string SessionId, DateTime ExpiresAt)> Sessions)> LoadActiveAsync(
        TimeSpan accessLifetime, CancellationToken cancellationToken)
    {
        var users = new List<(string, DateTime)>();
        var sessions = new List<(string, DateTime)>();
        var now = DateTime.UtcNow;
        await using (var command = database.DataSource.CreateCommand(
            "SELECT id, sessions_revoked_at FROM users WHERE sessions_revoked_at > $1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = now - accessLifetime });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                users.Add((reader.GetString(0), reader.GetDateTime(1)));
            }
        }

        await using (var command = database.DataSource.CreateCommand(
            "SELECT session_id, expires_at FROM revoked_tokens WHERE session_id IS NOT NULL AND expires_at > $1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = now });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sessions.Add((reader.GetString(0), reader.GetDateTime(1)));
            }
        }

        return (users, sessions);
    }

    private static async Task InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string userId, string sessionId, string token, DateTime expiresAt,
        CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO refresh_tokens (id, user_id, token_hash, expires_at, created_at, session_id)
            VALUES ($1, $2, $3, $4, $5, $6)
            """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = Ids.New() });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = Hash(token) });
        command.Parameters.Add(new NpgsqlParameter { Value = expiresAt });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Base64UrlToken(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
