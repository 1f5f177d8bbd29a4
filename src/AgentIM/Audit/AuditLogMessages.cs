namespace AgentIM.Audit;

internal static partial class AuditLogMessages
{
    [LoggerMessage(EventId = 9201, EventName = "AuditWriteFailed", Level = LogLevel.Warning,
        Message = "Audit entry {Action} could not be stored")]
    public static partial void WriteFailed(ILogger logger, string action, Exception exception);
}
