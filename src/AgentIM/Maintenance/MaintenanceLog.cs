namespace AgentIM.Maintenance;

internal static partial class MaintenanceLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Housekeeping ({What}): {Removed} rows removed")]
    public static partial void Purged(ILogger logger, string what, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Housekeeping ({What}) failed; it runs again at its next interval")]
    public static partial void Failed(ILogger logger, string what, Exception exception);

    [LoggerMessage(
        Level = LogLevel.Debug, Message = "Memory trimmed after a burst: {BeforeMb:0.0} MB resident before, {AfterMb:0.0} MB after")]
    public static partial void MemoryTrimmed(ILogger logger, double beforeMb, double afterMb);
}
