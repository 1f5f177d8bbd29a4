namespace AgentIM.Settings;

/// <summary>The value kinds of the admin settings API; the wire names are stable (rest-api.md #80).</summary>
public enum SettingType
{
    String,
    Number,
    Boolean,
    Enum,
}

/// <summary>
/// One runtime setting: where it appears in the admin UI, how its value is checked, and what it falls back to.
/// <see cref="EnvName"/> is read when the settings table has no row; <see cref="Default"/> when the environment is silent.
/// </summary>
public sealed record SettingDefinition(
    string Key,
    string Group,
    SettingType Type,
    string Default,
    string? EnvName,
    bool Sensitive = false,
    long? Min = null,
    long? Max = null,
    IReadOnlyList<string>? EnumValues = null)
{
    /// <summary>i18n keys the web client translates; stable once shipped.</summary>
    public string LabelKey => $"settings.{Key}.label";

    public string DescKey => $"settings.{Key}.desc";

    public string WireType => Type switch
    {
        SettingType.Number => "number",
        SettingType.Boolean => "boolean",
        SettingType.Enum => "enum",
        _ => "string",
    };
}
