namespace AgentIM.Auth;

internal static partial class AuthLog
{
    [LoggerMessage(EventId = 1001, EventName = "LoggedIn", Level = LogLevel.Information, Message = "User {UserId} logged in")]
    public static partial void LoggedIn(ILogger logger, string userId);

    [LoggerMessage(EventId = 1002, EventName = "LoginRefused", Level = LogLevel.Information, Message = "Login refused for {UserId}")]
    public static partial void LoginRefused(ILogger logger, string userId);

    [LoggerMessage(EventId = 1003, EventName = "LoggedOut", Level = LogLevel.Information, Message = "User {UserId} logged out")]
    public static partial void LoggedOut(ILogger logger, string userId);

    [LoggerMessage(EventId = 1004, EventName = "NoAdminPassword", Level = LogLevel.Warning,
        Message = "ADMIN_PASSWORD is empty: no admin account was created or updated")]
    public static partial void NoAdminPassword(ILogger logger);

    [LoggerMessage(
        EventId = 1005, EventName = "AdminCreated", Level = LogLevel.Information, Message = "Created the admin account {UserId}")]
    public static partial void AdminCreated(ILogger logger, string userId);

    [LoggerMessage(EventId = 1006, EventName = "AdminRepaired", Level = LogLevel.Information,
        Message = "Reset the admin account {UserId} to ADMIN_PASSWORD and the admin role")]
    public static partial void AdminRepaired(ILogger logger, string userId);
}
