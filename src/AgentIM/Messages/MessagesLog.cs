namespace AgentIM.Messages;

/// <summary>Log events of the messages feature (event ids 3000–3999; names are frozen once shipped).</summary>
internal static partial class MessagesLog
{
    [LoggerMessage(EventId = 3001, EventName = "AttachmentPathRefused", Level = LogLevel.Warning,
        Message = "An attachment URL of a deleted message does not name a file inside the upload directory; left alone")]
    public static partial void AttachmentPathRefused(ILogger logger);

    [LoggerMessage(EventId = 3002, EventName = "AttachmentFileNotRemoved", Level = LogLevel.Warning,
        Message = "An attachment file of a deleted message could not be removed")]
    public static partial void AttachmentFileNotRemoved(ILogger logger, Exception exception);
}
