namespace AgentIM.Gateway;

/// <summary>Log events of the gateway mode (the Cli block, 8500s). Names are frozen once shipped; no tokens or prompts.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 8501, EventName = "GatewayConnected", Level = LogLevel.Information,
        Message = "Connected to {Server} as gateway {GatewayId}")]
    public static partial void Connected(ILogger logger, string server, string gatewayId);

    [LoggerMessage(EventId = 8502, EventName = "GatewayDisconnected", Level = LogLevel.Warning,
        Message = "Connection to the hub lost ({Reason}); reconnecting in {DelayMs} ms")]
    public static partial void Disconnected(ILogger logger, string reason, long delayMs);

    [LoggerMessage(EventId = 8503, EventName = "GatewayAuthRejected", Level = LogLevel.Warning,
        Message = "The hub refused the gateway's token: {Error}")]
    public static partial void AuthRejected(ILogger logger, string error);

    [LoggerMessage(EventId = 8504, EventName = "GatewaySessionRevoked", Level = LogLevel.Error,
        Message = "The session cannot be renewed; run `agentim login` again (retrying every {DelaySeconds} s)")]
    public static partial void SessionRevoked(ILogger logger, int delaySeconds);

    [LoggerMessage(EventId = 8505, EventName = "GatewayProtocolMismatch", Level = LogLevel.Error,
        Message = "The hub speaks another protocol version: {Message}")]
    public static partial void ProtocolMismatch(ILogger logger, string message);

    [LoggerMessage(EventId = 8506, EventName = "GatewayServerError", Level = LogLevel.Warning,
        Message = "The hub reported {Code}: {Message}")]
    public static partial void ServerError(ILogger logger, string code, string message);

    [LoggerMessage(EventId = 8507, EventName = "AgentRegistered", Level = LogLevel.Information,
        Message = "Agent {AgentName} ({AgentType}) hosted as {AgentId}")]
    public static partial void AgentRegistered(ILogger logger, string agentName, string agentType, string agentId);

    [LoggerMessage(EventId = 8508, EventName = "AgentRemoved", Level = LogLevel.Information,
        Message = "Agent {AgentId} removed by the hub")]
    public static partial void AgentRemoved(ILogger logger, string agentId);

    [LoggerMessage(EventId = 8509, EventName = "ReplyFailed", Level = LogLevel.Information,
        Message = "Reply {MessageId} of agent {AgentId} ended with an error: {Error}")]
    public static partial void ReplyFailed(ILogger logger, string messageId, string agentId, string error);

    [LoggerMessage(EventId = 8510, EventName = "FrameDropped", Level = LogLevel.Debug, Message = "Frame {Type} dropped: {Reason}")]
    public static partial void FrameDropped(ILogger logger, string type, string reason);

    [LoggerMessage(EventId = 8511, EventName = "ReplyCrashed", Level = LogLevel.Error, Message = "Reply of agent {AgentId} failed")]
    public static partial void ReplyCrashed(ILogger logger, string agentId, Exception exception);
}
