using AgentIM.Infrastructure.Config;
using AgentIM.Settings;

namespace AgentIM.Uploads;

/// <summary>
/// Removes uploads never attached to a message once they are older than the retention (1 h, behaviour.md §10),
/// row and file, together with partial files a crash left behind. The first sweep runs 10 s after start, then one
/// every <c>cleanup.orphanFileInterval</c>; tests shorten both the interval and the retention through HubConfig.
/// </summary>
public sealed class OrphanUploadSweeper(
    HubConfig config,
    RuntimeSettings settings,
    UploadStore store,
    UploadStorage storage,
    ILogger<OrphanUploadSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan FirstSweepDelay = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = config.OrphanSweepInterval is { } fixedInterval && fixedInterval < FirstSweepDelay ? fixedInterval : FirstSweepDelay;
        try
        {
            while (true)
            {
                await Task.Delay(delay, stoppingToken);
                await SweepOnceAsync(stoppingToken);
                delay = config.OrphanSweepInterval ?? (await settings.GetAsync(stoppingToken)).OrphanFileInterval;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One pass; failures are logged and the next pass tries again.</summary>
    public async Task SweepOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var urls = await store.DeleteOrphansAsync(DateTime.UtcNow - config.OrphanUploadRetention, cancellationToken);
            storage.DeleteUrls(urls);
            var temps = storage.DeleteStaleTempFiles(config.OrphanUploadRetention);
            if (urls.Count > 0 || temps > 0)
            {
                UploadsLog.OrphansRemoved(logger, urls.Count, temps);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            UploadsLog.SweepFailed(logger, e);
        }
    }
}
