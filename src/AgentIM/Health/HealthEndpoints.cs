using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Health;

public sealed record HealthChecks(bool Database, bool Filesystem);

/// <summary>The health body is not wrapped in data (rest-api.md #1).</summary>
public sealed record HealthReport(bool Ok, DateTime Timestamp, HealthChecks Checks);

/// <summary><c>GET /api/health</c>: database, upload folder; 200 when all pass, 503 otherwise. Cached for 2 s.</summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);
    private static (HealthReport Report, DateTime At)? s_last;

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", CheckAsync);
        return app;
    }

    private static async Task<IResult> CheckAsync(HubDatabase database, HubConfig config, CancellationToken cancellationToken)
    {
        if (s_last is not { } last || DateTime.UtcNow - last.At > CacheFor)
        {
            var report = new HealthReport(false, DateTime.UtcNow, new HealthChecks(await DatabaseOkAsync(database, cancellationToken), FilesystemOk(config)));
            report = report with { Ok = report.Checks.Database && report.Checks.Filesystem };
            s_last = last = (report, DateTime.UtcNow);
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
