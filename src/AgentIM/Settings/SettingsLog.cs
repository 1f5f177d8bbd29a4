namespace AgentIM.Settings;

internal static partial class SettingsLog
{
    [LoggerMessage(EventId = 10001, EventName = "SettingsLoadFailed", Level = LogLevel.Warning,
        Message = "Could not read the settings table; the last values read stay in force")]
    public static partial void LoadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 10002, EventName = "SettingUndecryptable", Level = LogLevel.Warning,
        Message = "Setting {Key} is stored encrypted with another key; using the environment or default instead")]
    public static partial void UndecryptableSetting(ILogger logger, string key);

    [LoggerMessage(EventId = 10003, EventName = "SettingsChanged", Level = LogLevel.Information,
        Message = "Settings {Keys} changed by user {UserId}")]
    public static partial void Changed(ILogger logger, string keys, string userId);
}
