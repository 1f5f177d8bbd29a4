using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace AgentIM.Infrastructure.Db;

/// <summary>One embedded SQL migration; <see cref="Version"/> is the file's leading number.</summary>
public sealed record Migration(string Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
}

/// <summary>A migration as the database records it.</summary>
public sealed record MigrationStatus(string Version, string Name, DateTime? AppliedAt);

/// <summary>
/// Applies the SQL files embedded in the binary, in order, each once and each in its own transaction.
/// A session advisory lock makes two processes that migrate at the same moment take turns.
/// </summary>
public sealed class Migrator(HubDatabase database, ILogger<Migrator> logger)
{
    // Stable: other processes of this product take the same lock id.
    private const long AdvisoryLockId = 0x4167_656E_7449_4D01;

    private const string CreateTableSql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version text PRIMARY KEY,
            name text NOT NULL,
            checksum text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock($1)", cancellationToken, AdvisoryLockId);
        try
        {
            await ExecuteAsync(connection, CreateTableSql, cancellationToken);
            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var count = 0;
            foreach (var migration in Embedded)
            {
                if (applied.TryGetValue(migration.Version, out var checksum))
                {
                    if (checksum != migration.Checksum)
                    {
                        MigrationsLog.ChecksumChanged(logger, migration.Version, migration.Name);
                    }

                    continue;
                }

                await ApplyAsync(connection, migration, cancellationToken);
                count++;
            }

            MigrationsLog.Done(logger, count, Embedded.Count);
            return count;
        }
        finally
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock($1)", CancellationToken.None, AdvisoryLockId);
        }
    }

    /// <summary>
    /// Lists every embedded migration and when it was applied. Read-only: on a database that was never migrated the
    /// bookkeeping table is not created (that happens only under the migration lock, so a status racing a migrate
    /// cannot collide with it).
    /// </summary>
    public async Task<IReadOnlyList<MigrationStatus>> StatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var appliedAt = new Dictionary<string, DateTime>();
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL", connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return Embedded.Select(m => new MigrationStatus(m.Version, m.Name, null)).ToList();
            }
        }

        await using (var command = new NpgsqlCommand("SELECT version, applied_at FROM schema_migrations", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                appliedAt[reader.GetString(0)] = reader.GetDateTime(1);
            }
        }

        return Embedded
            .Select(m => new MigrationStatus(m.Version, m.Name, appliedAt.TryGetValue(m.Version, out var at) ? at : null))
            .ToList();
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var record = new NpgsqlCommand(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
        {
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Checksum });
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        MigrationsLog.Applied(logger, migration.Version, migration.Name);
    }

    private static async Task<Dictionary<string, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<string, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetString(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, string sql, CancellationToken cancellationToken, long? argument = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (argument is { } value)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(Migrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("migrations/", StringComparison.Ordinal)))
        {
            var fileName = resource["migrations/".Length..];
            var underscore = fileName.IndexOf('_');
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Missing embedded migration {resource}");
            using var text = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new Migration(
                fileName[..underscore], Path.GetFileNameWithoutExtension(fileName)[(underscore + 1)..], text.ReadToEnd()));
        }

        return migrations.OrderBy(m => m.Version, StringComparer.Ordinal).ToList();
    }
}
