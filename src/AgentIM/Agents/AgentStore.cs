using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Agents;

/// <summary>What a gateway reports when it registers an agent.</summary>
public sealed record AgentRegistration(
    string Id, string Name, string Type, string? WorkingDirectory, string? CapabilitiesJson, string? SlashCommandsJson,
    string? McpServersJson, string? Model);

/// <summary>An agent with the owner of its gateway.</summary>
public sealed record AgentRow(
    string Id, string Name, string Type, string Status, string GatewayId, string OwnerId, string? Model, string? SlashCommandsJson,
    string? McpServersJson, string Visibility, string VisibilityListJson);

public enum RegisterOutcome
{
    Registered,
    OwnedByAnotherUser,

    /// <summary>The owner has another agent of that name, regardless of letter case (case B19).</summary>
    NameTaken,
}

public enum AgentAccess
{
    NotFound,
    NotShared,
    Allowed,
}

public enum GatewayAuthOutcome
{
    Accepted,
    OwnedByAnotherUser,
}

/// <summary>SQL for <c>gateways</c> and <c>agents</c>. Agents exist only because a gateway registered them.</summary>
public sealed class AgentStore(HubDatabase database)
{
    private const string AgentColumns = """
        a.id, a.name, a.type, a.status, a.gateway_id, g.user_id, a.model, a.slash_commands::text, a.mcp_servers::text,
        a.visibility, a.visibility_list::text
        """;

    /// <summary>Inserts the gateway row or, when this user already owns it, marks it connected again.</summary>
    public async Task<GatewayAuthOutcome> UpsertGatewayAsync(
        string gatewayId, string userId, string? hostname, string? platform, string? arch, string? nodeVersion, bool ephemeral,
        CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO gateways
                (id, user_id, name, hostname, platform, arch, node_version, connected_at, disconnected_at, ephemeral, created_at)
            VALUES ($1, $2, coalesce($3, $1), $3, $4, $5, $6, $7, NULL, $8, $7)
            ON CONFLICT (id) DO UPDATE
            SET connected_at = EXCLUDED.connected_at,
                disconnected_at = NULL,
                hostname = EXCLUDED.hostname,
                platform = EXCLUDED.platform,
                arch = EXCLUDED.arch,
                node_version = EXCLUDED.node_version
            WHERE gateways.user_id = EXCLUDED.user_id
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = gatewayId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)hostname ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)platform ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)arch ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)nodeVersion ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        command.Parameters.Add(new NpgsqlParameter { Value = ephemeral });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1
            ? GatewayAuthOutcome.Accepted
            : GatewayAuthOutcome.OwnedByAnotherUser;
    }

    public async Task MarkGatewayDisconnectedAsync(string gatewayId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("UPDATE gateways SET disconnected_at = $2 WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = gatewayId });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Upserts an agent as online. An existing id keeps its gateway and visibility (behaviour.md §6.2); an id that
    /// lives on another user's gateway is refused.
    /// </summary>
    public async Task<RegisterOutcome> RegisterAsync(
        AgentRegistration agent, string gatewayId, string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO agents (id, name, type, status, gateway_id, working_directory, capabilities, slash_commands, mcp_servers, model,
                                connection_type, last_seen_at, created_at, updated_at)
            VALUES ($1, $2, $3, 'online', $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, 'cli', $10, $10, $10)
            ON CONFLICT (id) DO UPDATE
            SET name = EXCLUDED.name,
                type = EXCLUDED.type,
                status = 'online',
                working_directory = EXCLUDED.working_directory,
                capabilities = EXCLUDED.capabilities,
                slash_commands = EXCLUDED.slash_commands,
                mcp_servers = EXCLUDED.mcp_servers,
                model = EXCLUDED.model,
                last_seen_at = EXCLUDED.last_seen_at,
                updated_at = EXCLUDED.updated_at
            WHERE (SELECT g.user_id FROM gateways g WHERE g.id = agents.gateway_id) = $11
            """;
        // One owner's registrations take turns (a transaction-scoped advisory lock on the owner), so two gateways
        // registering "Helper" and "helper" at once cannot both win. The same name on the same gateway under a new
        // id is the gateway re-creating its agent: allowed, and the old one goes offline (websocket.md §6 step 3).
        const string lockSql = """
            SELECT pg_advisory_xact_lock(hashtext('agent-names:' || $1))
            """;
        const string supersedeSql = """
            UPDATE agents
            SET status = 'offline'
            WHERE gateway_id = $1
              AND id <> $2
              AND name = $3
              AND status <> 'offline'
            """;
        const string nameSql = """
            SELECT EXISTS (SELECT 1
                           FROM agents a
                           JOIN gateways g ON g.id = a.gateway_id
                           WHERE g.user_id = $1
                             AND a.id <> $2
                             AND lower(a.name) = lower($3)
                             AND NOT (a.gateway_id = $4 AND a.name = $3))
            """;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand(lockSql, connection, transaction))
        {
            take.Parameters.Add(new NpgsqlParameter { Value = userId });
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var check = new NpgsqlCommand(nameSql, connection, transaction))
        {
            check.Parameters.Add(new NpgsqlParameter { Value = userId });
            check.Parameters.Add(new NpgsqlParameter { Value = agent.Id });
            check.Parameters.Add(new NpgsqlParameter { Value = agent.Name });
            check.Parameters.Add(new NpgsqlParameter { Value = gatewayId });
            if (await check.ExecuteScalarAsync(cancellationToken) is true)
            {
                return RegisterOutcome.NameTaken;
            }
        }

        await using (var supersede = new NpgsqlCommand(supersedeSql, connection, transaction))
        {
            supersede.Parameters.Add(new NpgsqlParameter { Value = gatewayId });
            supersede.Parameters.Add(new NpgsqlParameter { Value = agent.Id });
            supersede.Parameters.Add(new NpgsqlParameter { Value = agent.Name });
            await supersede.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = agent.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = agent.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = agent.Type });
        command.Parameters.Add(new NpgsqlParameter { Value = gatewayId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)agent.WorkingDirectory ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)agent.CapabilitiesJson ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)agent.SlashCommandsJson ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = (object?)agent.McpServersJson ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)agent.Model ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        var outcome = await command.ExecuteNonQueryAsync(cancellationToken) == 1
            ? RegisterOutcome.Registered
            : RegisterOutcome.OwnedByAnotherUser;
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    /// <summary>
    /// Whether the owner has an agent other than <paramref name="agentId"/> named <paramref name="name"/>, ignoring case.
    /// </summary>
    public async Task<bool> IsNameTakenAsync(string ownerId, string agentId, string name, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT EXISTS (SELECT 1
                           FROM agents a
                           JOIN gateways g ON g.id = a.gateway_id
                           WHERE g.user_id = $1
                             AND a.id <> $2
                             AND lower(a.name) = lower($3))
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = ownerId });
        command.Parameters.Add(new NpgsqlParameter { Value = agentId });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    public async Task SetStatusAsync(IReadOnlyCollection<string> agentIds, string status, CancellationToken cancellationToken)
    {
        if (agentIds.Count == 0)
        {
            return;
        }

        await using var command = database.DataSource.CreateCommand(
            "UPDATE agents SET status = $2, last_seen_at = $3, updated_at = $3 WHERE id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = agentIds.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<AgentRow?> GetAsync(string agentId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(
            $"SELECT {AgentColumns} FROM agents a JOIN gateways g ON g.id = a.gateway_id WHERE a.id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = agentId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadAgent(reader) : null;
    }

    public async Task<List<string>> ListRoomsOfAgentAsync(string agentId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT room_id FROM room_members WHERE member_id = $1 AND member_type = 'agent'");
        command.Parameters.Add(new NpgsqlParameter { Value = agentId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rooms = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rooms.Add(reader.GetString(0));
        }

        return rooms;
    }

    /// <summary>Whether the user may put the agent in a room: it is theirs, shared with all, or whitelisted for them.</summary>
    public async Task<AgentAccess> GetAccessAsync(string agentId, string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT g.user_id = $2 OR a.visibility = 'all' OR (a.visibility = 'whitelist' AND a.visibility_list ? $2)
            FROM agents a
            JOIN gateways g ON g.id = a.gateway_id
            WHERE a.id = $1
            """;
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = agentId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        return await command.ExecuteScalarAsync(cancellationToken) switch
        {
            true => AgentAccess.Allowed,
            false => AgentAccess.NotShared,
            _ => AgentAccess.NotFound,
        };
    }

    /// <summary>
    /// A process that starts holds no sockets (behaviour.md §6.2): marks agents offline and gateways disconnected,
    /// except the agents in <paramref name="heldElsewhere"/> (held by another running node) and their gateways.
    /// </summary>
    public async Task ResetConnectionStateAsync(IReadOnlyCollection<string> heldElsewhere, CancellationToken cancellationToken)
    {
        var now = Clock.UtcNow();
        var kept = heldElsewhere.ToArray();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("UPDATE agents SET status = 'offline' WHERE status <> 'offline' AND NOT (id = ANY($1))")
                {
                    Parameters = { new NpgsqlParameter { Value = kept } },
                },
                new NpgsqlBatchCommand("""
                    UPDATE gateways SET disconnected_at = $1
                    WHERE disconnected_at IS NULL AND id NOT IN (SELECT gateway_id FROM agents WHERE id = ANY($2))
                    """)
                {
                    Parameters = { new NpgsqlParameter { Value = now }, new NpgsqlParameter { Value = kept } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static AgentRow ReadAgent(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetString(8),
        reader.GetString(9),
        reader.GetString(10));
}
