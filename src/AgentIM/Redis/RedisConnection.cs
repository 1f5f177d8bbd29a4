using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Config;
using StackExchange.Redis;

namespace AgentIM.Redis;

/// <summary>
/// The one Redis multiplexer of the process, or none when <c>REDIS_URL</c> is unset (single-node mode,
/// behaviour.md §12.2). Redis never gates the hub: it starts while Redis is down and attaches when Redis comes up
/// (decisions.md); commands fail fast instead of queueing while it is away, and every caller falls back to this
/// node's own state, which is counted and logged (once per outage) here.
/// </summary>
public sealed class RedisConnection(HubConfig config, ILogger<RedisConnection> logger) : IAsyncDisposable
{
    private ConnectionMultiplexer? _multiplexer;
    private long _fallbacks;
    private int _degraded;

    /// <summary>This process's id in fan-out payloads; a node ignores its own publications (websocket.md §14).</summary>
    public string NodeId { get; } = Ids.New(12);

    public bool IsConfigured => config.RedisUrl is { Length: > 0 };

    /// <summary>True while commands can be sent; false before the first connect, during an outage, or unconfigured.</summary>
    public bool IsAvailable => _multiplexer is { IsConnected: true };

    /// <summary>Times a Redis operation was skipped or failed and local state was used instead.</summary>
    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    public IConnectionMultiplexer? Multiplexer => _multiplexer;

    /// <summary>Raised when the command connection comes back after an outage (shared state can be re-synchronised).</summary>
    public event Action? Restored;

    /// <summary>The database while Redis is reachable, else null (and the caller's fallback is counted).</summary>
    public IDatabase? Database(string operation)
    {
        if (IsAvailable)
        {
            return _multiplexer!.GetDatabase();
        }

        if (IsConfigured)
        {
            CountFallback(operation, null);
        }

        return null;
    }

    /// <summary>Connects, waiting at most the connect timeout; a Redis that is down leaves the multiplexer retrying.</summary>
    public async Task StartAsync()
    {
        if (!IsConfigured || _multiplexer is not null)
        {
            return;
        }

        var options = RedisUrl.Parse(config.RedisUrl!);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 1000;
        options.SyncTimeout = 1000;
        options.AsyncTimeout = 1000;
        options.ConnectRetry = 1;
        options.KeepAlive = 5;
        options.ClientName = $"agentim-{NodeId}";
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 2000);
        // Fail fast instead of queueing commands while disconnected: a request never waits for Redis to return.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
        _multiplexer.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive && Interlocked.Exchange(ref _degraded, 1) == 0)
            {
                Interlocked.Increment(ref _fallbacks);
                RedisLog.Unavailable(logger, e.FailureType.ToString());
            }
        };
        _multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                Interlocked.Exchange(ref _degraded, 0);
                RedisLog.Restored(logger, NodeId);
                Restored?.Invoke();
            }
        };
        if (_multiplexer.IsConnected)
        {
            RedisLog.Attached(logger, NodeId);
        }
        else
        {
            Interlocked.Exchange(ref _degraded, 1);
            Interlocked.Increment(ref _fallbacks);
            RedisLog.Unavailable(logger, "not reachable at start");
        }
    }

    /// <summary>Counts a fallback to local state; the warning is logged once per outage, not per call.</summary>
    public void CountFallback(string operation, Exception? exception)
    {
        Interlocked.Increment(ref _fallbacks);
        if (exception is not null && Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            RedisLog.Fallback(logger, operation, exception);
        }
    }

    /// <summary>PING within a second, for the health check.</summary>
    public async Task<bool> PingAsync()
    {
        if (!IsAvailable)
        {
            return false;
        }

        try
        {
            await _multiplexer!.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }
    }
}
