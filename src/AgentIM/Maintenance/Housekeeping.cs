using AgentIM.Agents;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using AgentIM.Realtime;
using AgentIM.Settings;
using Npgsql;

namespace AgentIM.Maintenance;

/// <summary>
/// Keeps the tables that only grow from growing forever (behaviour.md §3, §6, data-model.md §2.19): expired refresh
/// tokens and revocation rows (every <c>TOKEN_CLEANUP_INTERVAL</c>, 1 h), audit rows older than
/// <c>cleanup.auditRetentionDays</c> and gateways offline for longer than <c>cleanup.gatewayMaxOfflineDays</c>, with
/// their agents and the agents' room memberships (every <c>AUDIT_LOG_CLEANUP_INTERVAL</c> /
/// <c>GATEWAY_CLEANUP_INTERVAL</c>, 24 h, first 30 s after start). The intervals are read once at boot.
/// </summary>
public sealed class Housekeeping(
    HubConfig config,
    HubDatabase database,
    RuntimeSettings settings,
    AgentQueries agents,
    RoomEvents roomEvents,
    RoomContexts roomContexts,
    ILogger<Housekeeping> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRun = TimeSpan.FromSeconds(30);

    /// <summary>Removes expired tokens and revocations.</summary>
    public async Task<(int RefreshTokens, int RevokedTokens)> PurgeTokensAsync(CancellationToken cancellationToken)
    {
        var refresh = await ExecuteAsync("DELETE FROM refresh_tokens WHERE expires_at < now()", null, cancellationToken);
        var revoked = await ExecuteAsync("DELETE FROM revoked_tokens WHERE expires_at < now()", null, cancellationToken);
        return (refresh, revoked);
    }

    /// <summary>Removes audit rows past the retention setting.</summary>
    public async Task<int> PurgeAuditAsync(CancellationToken cancellationToken)
    {
        var days = (await settings.GetAsync(cancellationToken)).AuditRetentionDays;
        return await ExecuteAsync(
            "DELETE FROM audit_logs WHERE created_at < now() - make_interval(days => $1)", days, cancellationToken);
    }

    /// <summary>
    /// Deletes gateways disconnected for longer than the setting, as their owner's DELETE would: agents go, their room
    /// memberships go, and the rooms hear of it (room update, fresh contexts for the agents left).
    /// </summary>
    public async Task<int> PurgeGatewaysAsync(CancellationToken cancellationToken)
    {
        var days = (await settings.GetAsync(cancellationToken)).GatewayMaxOfflineDays;
        const string sql = """
            SELECT id, user_id
            FROM gateways
            WHERE disconnected_at IS NOT NULL
              AND (connected_at IS NULL OR disconnected_at >= connected_at)
              AND disconnected_at < now() - make_interval(days => $1)
            """;
        var zombies = new List<(string Id, string UserId)>();
        await using (var command = database.DataSource.CreateCommand(sql))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = days });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                zombies.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var removed = 0;
        foreach (var (gatewayId, userId) in zombies)
        {
            if (await agents.DeleteGatewayAsync(gatewayId, userId, cancellationToken) is not { } deleted)
            {
                continue;
            }

            removed++;
            foreach (var roomId in deleted.RoomIds)
            {
                await roomEvents.MembersChangedAsync(roomId, cancellationToken);
                await roomContexts.RoomChangedAsync(roomId, cancellationToken);
            }
        }

        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tokenEvery = Interval("TOKEN_CLEANUP_INTERVAL", 3_600_000);
        var auditEvery = Interval("AUDIT_LOG_CLEANUP_INTERVAL", 86_400_000);
        var gatewayEvery = Interval("GATEWAY_CLEANUP_INTERVAL", 86_400_000);
        var next = (Tokens: FirstRun, Audit: FirstRun, Gateways: FirstRun);
        var elapsed = TimeSpan.Zero;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = Min(next.Tokens, Min(next.Audit, next.Gateways)) - elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stoppingToken);
                    elapsed += wait;
                }

                if (elapsed >= next.Tokens)
                {
                    await RunAsync("tokens", async ct => (await PurgeTokensAsync(ct)).RefreshTokens, stoppingToken);
                    next.Tokens = elapsed + tokenEvery;
                }

                if (elapsed >= next.Audit)
                {
                    await RunAsync("audit", PurgeAuditAsync, stoppingToken);
                    next.Audit = elapsed + auditEvery;
                }

                if (elapsed >= next.Gateways)
                {
                    await RunAsync("gateways", PurgeGatewaysAsync, stoppingToken);
                    next.Gateways = elapsed + gatewayEvery;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RunAsync(string what, Func<CancellationToken, Task<int>> pass, CancellationToken cancellationToken)
    {
        try
        {
            if (await pass(cancellationToken) is > 0 and var removed)
            {
                MaintenanceLog.Purged(logger, what, removed);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // The database may be restarting; the next pass tries again.
            MaintenanceLog.Failed(logger, what, e);
        }
    }

    private TimeSpan Interval(string name, int fallbackMs) =>
        TimeSpan.FromMilliseconds(
            config.Environment.TryGetValue(name, out var raw) && int.TryParse(raw, out var ms) ? Math.Max(ms, 60_000) : fallbackMs);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async Task<int> ExecuteAsync(string sql, int? days, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        if (days is { } value)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
