namespace AgentIM.Infrastructure.Db;

internal static partial class MigrationsLog
{
    [LoggerMessage(EventId = 9001, EventName = "MigrationApplied", Level = LogLevel.Information,
        Message = "Applied migration {Version} {Name}")]
    public static partial void Applied(ILogger logger, string version, string name);

    [LoggerMessage(EventId = 9002, EventName = "MigrationsDone", Level = LogLevel.Information,
        Message = "Schema is current ({Known} migrations; {Applied} applied now)")]
    public static partial void Done(ILogger logger, int applied, int known);

    [LoggerMessage(EventId = 9003, EventName = "MigrationChecksumChanged", Level = LogLevel.Warning,
        Message = "Migration {Version} {Name} changed after it was applied; the database keeps the applied version")]
    public static partial void ChecksumChanged(ILogger logger, string version, string name);
}
