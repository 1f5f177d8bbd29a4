using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using AgentIM.Redis;
using Npgsql;

namespace AgentIM.Auth;

/// <summary>
/// Hears <c>NOTIFY agentim_revocations</c> (<see cref="RevocationNotices"/>) on a connection of its own, so a
/// revocation made by another node or by <c>agentim user disable|passwd|delete</c> closes this node's sockets within
/// a second, with or without Redis. After a lost connection (a PostgreSQL restart) it reconnects and re-reads the
/// revocations in force, so one made meanwhile is not missed.
/// </summary>
public sealed class RevocationListener(HubConfig config, SessionRevocations revocations, ILogger<RevocationListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var builder = new NpgsqlSlimDataSourceBuilder(ConnectionStrings.ToNpgsql(config.DatabaseUrl, 1));
        // A long-lived connection outside the pool; keepalives notice a server that went away silently.
        builder.ConnectionStringBuilder.Pooling = false;
        builder.ConnectionStringBuilder.KeepAlive = 10;
        builder.EnableTransportSecurity();
        await using var source = builder.Build();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(source, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
            {
                RedisLog.ListenerFailed(logger, e);
            }

            try
            {
                await Task.Delay(RetryDelay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ListenAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        connection.Notification += (_, e) => RevocationNotices.Apply(revocations, e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {RevocationNotices.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        await revocations.CatchUpAsync(cancellationToken);
        while (true)
        {
            await connection.WaitAsync(cancellationToken);
        }
    }
}
