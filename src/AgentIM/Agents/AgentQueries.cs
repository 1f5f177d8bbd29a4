using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;
using Npgsql;

namespace AgentIM.Agents;

/// <summary>
/// SQL behind /api/agents: agents as their owners and the users they are shared with see them, and gateways as
/// their owners see them. Who may see what is decided in the queries.
/// </summary>
public sealed class AgentQueries(HubDatabase database)
{
    private const string AgentColumns = """
        a.id, a.name, a.type, a.status, a.visibility, a.visibility_list::text, a.gateway_id, a.working_directory,
        a.capabilities::text, a.connection_type, a.slash_commands::text, a.mcp_servers::text, a.model, a.last_seen_at,
        a.created_at, a.updated_at, g.user_id, g.hostname, g.platform, g.arch, g.node_version
        """;

    private const string GatewayColumns = """
        g.id, g.user_id, g.name, g.hostname, g.platform, g.arch, g.node_version, g.connected_at, g.disconnected_at,
        g.ephemeral, g.created_at
        """;

    /// <summary>Agents on the user's gateways, whatever their status.</summary>
    public async Task<List<AgentDto>> ListOwnedAsync(string userId, QueryPaging paging, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {AgentColumns}
            FROM agents a
            JOIN gateways g ON g.id = a.gateway_id
            WHERE g.user_id = $1
            ORDER BY a.created_at DESC, a.id
            LIMIT $2 OFFSET $3
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = paging.Limit });
        command.Parameters.Add(new NpgsqlParameter { Value = paging.Offset });
        return await ReadAgentsAsync(command, withOwnerName: false, cancellationToken);
    }

    /// <summary>
    /// Other users' agents shared with the user: visibility <c>all</c>, or <c>whitelist</c> naming them. Unlike
    /// upstream, the whitelist filter runs before limit/offset, so a page is never short while more exist.
    /// </summary>
    public async Task<List<AgentDto>> ListSharedAsync(string userId, QueryPaging paging, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {AgentColumns}, u.display_name
            FROM agents a
            JOIN gateways g ON g.id = a.gateway_id
            JOIN users u ON u.id = g.user_id
            WHERE g.user_id <> $1
              AND (a.visibility = 'all' OR (a.visibility = 'whitelist' AND a.visibility_list ? $1))
            ORDER BY a.created_at DESC, a.id
            LIMIT $2 OFFSET $3
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = paging.Limit });
        command.Parameters.Add(new NpgsqlParameter { Value = paging.Offset });
        return await ReadAgentsAsync(command, withOwnerName: true, cancellationToken);
    }

    /// <summary>The agent if the user owns it or it is shared with them; null when it does not exist or is hidden.</summary>
    public async Task<AgentDto?> GetVisibleAsync(string agentId, string userId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {AgentColumns}
            FROM agents a
            JOIN gateways g ON g.id = a.gateway_id
            WHERE a.id = $1
              AND (g.user_id = $2 OR a.visibility = 'all' OR (a.visibility = 'whitelist' AND a.visibility_list ? $2))
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = agentId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        var agents = await ReadAgentsAsync(command, withOwnerName: false, cancellationToken);
        return agents.Count == 0 ? null : agents[0];
    }

    /// <summary>Changes the given fields (null = unchanged); returns the agent as it now is.</summary>
    public async Task<AgentDto?> UpdateAsync(
        string agentId, string? name, string? visibility, IReadOnlyList<string>? visibilityList, CancellationToken cancellationToken)
    {
        const string sql = $"""
            WITH updated AS (
                UPDATE agents
                SET name = coalesce($2, name),
                    visibility = coalesce($3, visibility),
                    visibility_list = coalesce($4::jsonb, visibility_list),
                    updated_at = $5
                WHERE id = $1
                RETURNING *
            )
            SELECT {AgentColumns}
            FROM updated a
            JOIN gateways g ON g.id = a.gateway_id
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = agentId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)name ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)visibility ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        var listJson = visibilityList is null
            ? null
            : System.Text.Json.JsonSerializer.Serialize(visibilityList.ToList(), AgentsJson.Default.ListString);
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)listJson ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        var agents = await ReadAgentsAsync(command, withOwnerName: false, cancellationToken);
        return agents.Count == 0 ? null : agents[0];
    }

    /// <summary>Deletes the agent and its room memberships in one transaction; returns the rooms it was in.</summary>
    public async Task<List<string>> DeleteAgentAsync(string agentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rooms = await RemoveMembershipsAsync(connection, transaction, [agentId], cancellationToken);
        await using (var command = new NpgsqlCommand("DELETE FROM agents WHERE id = $1", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = agentId });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return rooms;
    }

    /// <summary>The user's gateways, ephemeral wrapper sessions left out, newest first.</summary>
    public async Task<List<GatewayDto>> ListGatewaysAsync(string userId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {GatewayColumns}
            FROM gateways g
            WHERE g.user_id = $1
              AND NOT g.ephemeral
            ORDER BY g.created_at DESC, g.id
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var gateways = new List<GatewayDto>();
        while (await reader.ReadAsync(cancellationToken))
        {
            gateways.Add(new GatewayDto
            {
                Id = reader.GetString(0),
                UserId = reader.GetString(1),
                Name = reader.GetString(2),
                Hostname = NullableString(reader, 3),
                Platform = NullableString(reader, 4),
                Arch = NullableString(reader, 5),
                NodeVersion = NullableString(reader, 6),
                ConnectedAt = reader.IsDBNull(7) ? null : reader.GetDateTime(7),
                DisconnectedAt = reader.IsDBNull(8) ? null : reader.GetDateTime(8),
                Ephemeral = reader.GetBoolean(9),
                CreatedAt = reader.GetDateTime(10),
            });
        }

        return gateways;
    }

    /// <summary>Whether the gateway exists and belongs to the user.</summary>
    public async Task<bool> OwnsGatewayAsync(string gatewayId, string userId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("SELECT 1 FROM gateways WHERE id = $1 AND user_id = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = gatewayId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>
    /// Deletes one of the user's gateways: its agents' room memberships first (they are not foreign keys), then the
    /// gateway, whose agents cascade. Null when the user has no gateway with that id.
    /// </summary>
    public async Task<DeletedGateway?> DeleteGatewayAsync(string gatewayId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        const string agentsSql = """
            SELECT a.id
            FROM gateways g
            LEFT JOIN agents a ON a.gateway_id = g.id
            WHERE g.id = $1
              AND g.user_id = $2
            FOR UPDATE OF g
            """;
        var agentIds = new List<string>();
        var found = false;
        await using (var command = new NpgsqlCommand(agentsSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = gatewayId });
            command.Parameters.Add(new NpgsqlParameter { Value = userId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found = true;
                if (!reader.IsDBNull(0))
                {
                    agentIds.Add(reader.GetString(0));
                }
            }
        }

        if (!found)
        {
            return null;
        }

        var rooms = await RemoveMembershipsAsync(connection, transaction, agentIds, cancellationToken);
        await using (var command = new NpgsqlCommand("DELETE FROM gateways WHERE id = $1", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = gatewayId });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new DeletedGateway(agentIds, rooms);
    }

    private static async Task<List<string>> RemoveMembershipsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<string> agentIds,
        CancellationToken cancellationToken)
    {
        var rooms = new List<string>();
        if (agentIds.Count == 0)
        {
            return rooms;
        }

        const string sql = """
            DELETE FROM room_members
            WHERE member_type = 'agent'
              AND member_id = ANY($1)
            RETURNING room_id
            """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = agentIds.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rooms.Add(reader.GetString(0));
        }

        return rooms.Distinct().ToList();
    }

    private static async Task<List<AgentDto>> ReadAgentsAsync(
        NpgsqlCommand command, bool withOwnerName, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var agents = new List<AgentDto>();
        while (await reader.ReadAsync(cancellationToken))
        {
            agents.Add(new AgentDto
            {
                Id = reader.GetString(0),
                Name = reader.GetString(1),
                Type = reader.GetString(2),
                Status = reader.GetString(3),
                Visibility = reader.GetString(4),
                VisibilityList = new RawJson(reader.GetString(5)),
                GatewayId = reader.GetString(6),
                WorkingDirectory = NullableString(reader, 7),
                Capabilities = NullableJson(reader, 8),
                ConnectionType = reader.GetString(9),
                SlashCommands = NullableJson(reader, 10),
                McpServers = NullableJson(reader, 11),
                Model = NullableString(reader, 12),
                LastSeenAt = reader.IsDBNull(13) ? null : reader.GetDateTime(13),
                CreatedAt = reader.GetDateTime(14),
                UpdatedAt = reader.GetDateTime(15),
                OwnerId = reader.GetString(16),
                DeviceInfo = new DeviceInfoDto(
                    NullableString(reader, 17) ?? "", NullableString(reader, 18) ?? "", NullableString(reader, 19) ?? "",
                    NullableString(reader, 20) ?? ""),
                OwnerName = withOwnerName ? reader.GetString(21) : null,
            });
        }

        return agents;
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static RawJson? NullableJson(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new RawJson(reader.GetString(ordinal));
}
