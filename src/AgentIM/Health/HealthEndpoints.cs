using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Json;
using AgentIM.Redis;

namespace AgentIM.Health;

/// <summary>Redis is present only when <c>REDIS_URL</c> is set (rest-api.md #1); false while the hub runs on local state.</summary>
public sealed record HealthChecks(
    bool Database,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    bool? Redis,
    bool Filesystem);

/// <summary>The health body is not wrapped in data (rest-api.md #1).</summary>
public sealed record HealthReport(bool Ok, DateTime Timestamp, HealthChecks Checks);

/// <summary>
/// <c>GET /api/health</c>: database, Redis (when configured), upload folder; 200 when all pass, 503 otherwise. Cached
/// for 2 s per app (not per process: hubs sharing a process, as the tests' do, must never answer with each other's
/// result).
/// </summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var cache = new StrongBox<(HealthReport Report, DateTime At)?>();
        app.MapGet("/api/health", (HubDatabase database, HubConfig config, RedisConnection redis, CancellationToken cancellationToken) =>
            CheckAsync(cache, database, config, redis, cancellationToken));
        return app;
    }

    private static async Task<IResult> CheckAsync(
        StrongBox<(HealthReport Report, DateTime At)?> cache,
        HubDatabase database,
        HubConfig config,
        RedisConnection redis,
        CancellationToken cancellationToken)
    {
        if (cache.Value is not { } last || DateTime.UtcNow - last.At > CacheFor)
        {
            bool? redisOk = redis.IsConfigured ? await redis.PingAsync() : null;
            var checks = new HealthChecks(await DatabaseOkAsync(database, cancellationToken), redisOk, FilesystemOk(config));
            var report = new HealthReport(checks.Database && checks.Redis != false && checks.Filesystem, DateTime.UtcNow, checks);
            cache.Value = last = (report, DateTime.UtcNow);
        }

        return Results.Json(last.Report, ApiJson.Default.HealthReport, statusCode: last.Report.Ok ? 200 : 503);
    }

    private static async Task<bool> DatabaseOkAsync(HubDatabase database, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await using var command = database.DataSource.CreateCommand("SELECT 1");
            return await command.ExecuteScalarAsync(timeout.Token) is 1;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static bool FilesystemOk(HubConfig config)
    {
        try
        {
            Directory.CreateDirectory(config.UploadDir);
            var probe = Path.Combine(config.UploadDir, $".health-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
