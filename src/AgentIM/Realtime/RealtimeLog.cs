namespace AgentIM.Realtime;

internal static partial class RealtimeLog
{
    [LoggerMessage(EventId = 6001, EventName = "ClientAuthenticated", Level = LogLevel.Debug,
        Message = "Client socket {ConnectionId} authenticated as {UserId}")]
    public static partial void ClientAuthenticated(ILogger logger, long connectionId, string userId);

    [LoggerMessage(
        EventId = 6002, EventName = "ClientClosed", Level = LogLevel.Debug, Message = "Client socket {ConnectionId} of {UserId} closed")]
    public static partial void ClientClosed(ILogger logger, long connectionId, string userId);

    [LoggerMessage(EventId = 6003, EventName = "ClientFrameFailed", Level = LogLevel.Error,
        Message = "Handling a frame of client socket {ConnectionId} failed")]
    public static partial void ClientFrameFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = 6101, EventName = "GatewayAuthenticated", Level = LogLevel.Information,
        Message = "Gateway socket {ConnectionId} authenticated as gateway {GatewayId} of {UserId}")]
    public static partial void GatewayAuthenticated(ILogger logger, long connectionId, string gatewayId, string userId);

    [LoggerMessage(EventId = 6102, EventName = "GatewayClosed", Level = LogLevel.Information,
        Message = "Gateway socket {ConnectionId} of gateway {GatewayId} closed")]
    public static partial void GatewayClosed(ILogger logger, long connectionId, string gatewayId);

    [LoggerMessage(EventId = 6103, EventName = "GatewayFrameFailed", Level = LogLevel.Error,
        Message = "Handling a frame of gateway socket {ConnectionId} failed")]
    public static partial void GatewayFrameFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = 6104, EventName = "GatewayFrameDropped", Level = LogLevel.Debug,
        Message = "Dropped a {FrameType} frame from gateway socket {ConnectionId}")]
    public static partial void GatewayFrameDropped(ILogger logger, long connectionId, string frameType);

    [LoggerMessage(EventId = 6105, EventName = "AgentRegistered", Level = LogLevel.Information,
        Message = "Agent {AgentId} registered on gateway {GatewayId}")]
    public static partial void AgentRegistered(ILogger logger, string agentId, string gatewayId);

    [LoggerMessage(EventId = 6106, EventName = "GatewayCleanupFailed", Level = LogLevel.Warning,
        Message = "Could not mark the agents of gateway socket {ConnectionId} offline")]
    public static partial void GatewayCleanupFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = 6107, EventName = "InterruptedStreamNotStored", Level = LogLevel.Warning,
        Message = "The cut-short reply {MessageId} in room {RoomId} could not be stored")]
    public static partial void InterruptedStreamNotStored(ILogger logger, string messageId, string roomId, Exception exception);

    [LoggerMessage(EventId = 6108, EventName = "RouterCallFailed", Level = LogLevel.Information,
        Message = "The AI router at {BaseUrl} failed: {Reason}")]
    public static partial void RouterCallFailed(ILogger logger, string baseUrl, string reason);

    [LoggerMessage(EventId = 6109, EventName = "AgentNameTaken", Level = LogLevel.Information,
        Message = "Agent {AgentId} not registered on gateway {GatewayId}: its owner has another agent of that name")]
    public static partial void AgentNameTaken(ILogger logger, string agentId, string gatewayId);

    [LoggerMessage(EventId = 6110, EventName = "ShutdownStreamsFailed", Level = LogLevel.Warning,
        Message = "Ending the replies still streaming at shutdown failed")]
    public static partial void ShutdownStreamsFailed(ILogger logger, Exception exception);
}
