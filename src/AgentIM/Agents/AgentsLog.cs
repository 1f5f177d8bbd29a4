namespace AgentIM.Agents;

internal static partial class AgentsLog
{
    [LoggerMessage(EventId = 4101, EventName = "AgentDeleted", Level = LogLevel.Information,
        Message = "Agent {AgentId} deleted by {UserId}; gateway told: {GatewayTold}")]
    public static partial void AgentDeleted(ILogger logger, string agentId, string userId, bool gatewayTold);

    [LoggerMessage(EventId = 4102, EventName = "GatewayDeleted", Level = LogLevel.Information,
        Message = "Gateway {GatewayId} deleted by {UserId} with {AgentCount} agents")]
    public static partial void GatewayDeleted(ILogger logger, string gatewayId, string userId, int agentCount);

    [LoggerMessage(EventId = 4103, EventName = "SpawnRequested", Level = LogLevel.Information,
        Message = "Spawn {RequestId} sent to gateway {GatewayId} for {UserId}")]
    public static partial void SpawnRequested(ILogger logger, string requestId, string gatewayId, string userId);

    [LoggerMessage(EventId = 4104, EventName = "AgentUpdated", Level = LogLevel.Debug, Message = "Agent {AgentId} updated by {UserId}")]
    public static partial void AgentUpdated(ILogger logger, string agentId, string userId);
}
