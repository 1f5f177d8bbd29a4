using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Settings;

/// <summary>SQL for the <c>settings</c> table (data-model.md §2.17): key → stored string (sensitive ones encrypted).</summary>
public sealed class SettingsStore(HubDatabase database)
{
    public async Task<Dictionary<string, string>> LoadAllAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT key, value
            FROM settings
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            values[reader.GetString(0)] = reader.GetString(1);
        }

        return values;
    }

    public async Task UpsertAsync(string key, string value, string? updatedBy, CancellationToken cancellationToken)
    {
        // updated_by may name a user deleted meanwhile; the FK would refuse it, so only existing users are recorded.
        const string sql = """
            INSERT INTO settings (key, value, updated_at, updated_by)
            VALUES ($1, $2, $3, (SELECT id FROM users WHERE id = $4))
            ON CONFLICT (key) DO UPDATE
            SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = updatedBy, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM settings
            WHERE key = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
