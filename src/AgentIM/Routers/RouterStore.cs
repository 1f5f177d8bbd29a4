using System.Text.Json;
using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Routers;

/// <summary>SQL for the <c>routers</c> table. <c>visibility_list</c> is jsonb, passed as text both ways.</summary>
public sealed class RouterStore(HubDatabase database)
{
    // The contract's cap on one list (rest-api.md #66).
    private const string ListLimitText = "500";

    private const string Columns = """
        id, name, description, scope, created_by_id, llm_base_url, llm_api_key, llm_model, max_chain_depth,
        rate_limit_window, rate_limit_max, visibility, visibility_list::text, created_at, updated_at
        """;

    public async Task<List<RouterRow>> ListAsync(string? visibleToUserId, CancellationToken cancellationToken)
    {
        // Admins (visibleToUserId null) see every router; others their own and the global ones shown to them.
        const string sql = $"""
            SELECT {Columns}
            FROM routers
            WHERE $1::text IS NULL
               OR created_by_id = $1
               OR (scope = 'global' AND (
                       visibility = 'all'
                    OR (visibility = 'whitelist' AND visibility_list @> jsonb_build_array($1::text))
                    OR (visibility = 'blacklist' AND NOT visibility_list @> jsonb_build_array($1::text))))
            ORDER BY created_at DESC, id DESC
            LIMIT {ListLimitText}
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = visibleToUserId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<RouterRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public async Task<RouterRow?> FindAsync(string id, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {Columns}
            FROM routers
            WHERE id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Inserts a router; null when the creator already has one of that name (unique (name, created_by_id)).</summary>
    public async Task<RouterRow?> InsertAsync(RouterRow row, CancellationToken cancellationToken)
    {
        const string sql = $"""
            INSERT INTO routers (id, name, description, scope, created_by_id, llm_base_url, llm_api_key, llm_model,
                                 max_chain_depth, rate_limit_window, rate_limit_max, visibility, visibility_list,
                                 created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15)
            ON CONFLICT (name, created_by_id) DO NOTHING
            RETURNING {Columns}
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        AddRowParameters(command, row);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Writes every editable column; null when the new name collides with another router of the creator.</summary>
    public async Task<RouterRow?> UpdateAsync(RouterRow row, CancellationToken cancellationToken)
    {
        const string sql = $"""
            UPDATE routers
            SET name = $2, description = $3, llm_base_url = $6, llm_api_key = $7, llm_model = $8,
                max_chain_depth = $9, rate_limit_window = $10, rate_limit_max = $11, visibility = $12,
                visibility_list = $13::jsonb, updated_at = $15
            WHERE id = $1
            RETURNING {Columns}
            """;
        try
        {
            await using var command = database.DataSource.CreateCommand(sql);
            AddRowParameters(command, row);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }
        catch (PostgresException e) when (DbErrors.IsUniqueViolation(e))
        {
            return null;
        }
    }

    /// <summary>Deletes a router; rooms that used it fall back to no router (FK ON DELETE SET NULL).</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM routers
            WHERE id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static void AddRowParameters(NpgsqlCommand command, RouterRow row)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = row.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = row.Name });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = row.Description, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = row.Scope });
        command.Parameters.Add(new NpgsqlParameter { Value = row.CreatedById });
        command.Parameters.Add(new NpgsqlParameter { Value = row.LlmBaseUrl });
        command.Parameters.Add(new NpgsqlParameter { Value = row.StoredApiKey });
        command.Parameters.Add(new NpgsqlParameter { Value = row.LlmModel });
        command.Parameters.Add(new NpgsqlParameter { Value = row.MaxChainDepth });
        command.Parameters.Add(new NpgsqlParameter { Value = row.RateLimitWindow });
        command.Parameters.Add(new NpgsqlParameter { Value = row.RateLimitMax });
        command.Parameters.Add(new NpgsqlParameter { Value = row.Visibility });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = JsonSerializer.Serialize(row.VisibilityList.ToList(), RoutersJson.Default.ListString),
        });
        command.Parameters.Add(new NpgsqlParameter { Value = row.CreatedAt });
        command.Parameters.Add(new NpgsqlParameter { Value = row.UpdatedAt });
    }

    private static RouterRow Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetString(7),
        reader.GetInt32(8),
        reader.GetInt32(9),
        reader.GetInt32(10),
        reader.GetString(11),
        JsonSerializer.Deserialize(reader.GetString(12), RoutersJson.Default.ListString) ?? [],
        DateTime.SpecifyKind(reader.GetDateTime(13), DateTimeKind.Utc),
        DateTime.SpecifyKind(reader.GetDateTime(14), DateTimeKind.Utc));
}
