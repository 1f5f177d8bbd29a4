namespace AgentIM.Redis;

internal static partial class RedisLog
{
    [LoggerMessage(EventId = 9201, EventName = "RedisAttached", Level = LogLevel.Information,
        Message = "Redis attached as node {NodeId}: shared state and fan-out across hub nodes are on")]
    public static partial void Attached(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 9202, EventName = "RedisUnavailable", Level = LogLevel.Warning,
        Message = "Redis is unavailable; rate limits, revocation and fan-out fall back to this node until it returns ({Reason})")]
    public static partial void Unavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 9203, EventName = "RedisFallback", Level = LogLevel.Warning,
        Message = "Redis {Operation} failed; using this node's local state instead")]
    public static partial void Fallback(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 9204, EventName = "RedisRestored", Level = LogLevel.Information,
        Message = "Redis is back; node {NodeId} is in shared mode again")]
    public static partial void Restored(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 9205, EventName = "FanOutPayloadDropped", Level = LogLevel.Debug,
        Message = "Dropped an unreadable fan-out payload on {Channel}")]
    public static partial void PayloadDropped(ILogger logger, string channel);

    [LoggerMessage(EventId = 9206, EventName = "RevocationListenerFailed", Level = LogLevel.Warning,
        Message = "Listening for revocations on PostgreSQL failed; retrying")]
    public static partial void ListenerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9207, EventName = "RedisSubscribeFailed", Level = LogLevel.Warning,
        Message = "Subscribing to the fan-out channels failed; retrying when Redis is back")]
    public static partial void SubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9208, EventName = "StoppedNodeAgentsFreed", Level = LogLevel.Information,
        Message = "{Count} agents of stopped hub nodes were marked offline")]
    public static partial void AgentsFreed(ILogger logger, int count);

    [LoggerMessage(EventId = 9209, EventName = "StoppedNodeAgentsNotFreed", Level = LogLevel.Warning,
        Message = "Marking agents of stopped hub nodes offline failed")]
    public static partial void AgentsNotFreed(ILogger logger, Exception exception);
}
