using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentIM.Settings;

public sealed record SettingsChangeRequest(JsonElement? Changes);

/// <summary>The outcome of a settings change: the keys written and the per-key messages of those refused.</summary>
public sealed record SettingsChangeResult(IReadOnlyList<string> Updated, IReadOnlyList<string> Errors);

/// <summary>One entry of <c>GET /api/admin/settings</c>; <c>enumValues</c>, <c>min</c> and <c>max</c> only where they apply.</summary>
public sealed class SettingItem
{
    public required string Key { get; init; }

    public required string Value { get; init; }

    public required string Type { get; init; }

    public required bool Sensitive { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? EnumValues { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Min { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Max { get; init; }

    public required string LabelKey { get; init; }

    public required string DescKey { get; init; }

    public required string Source { get; init; }
}

public sealed class SettingsChangeData
{
    public required IReadOnlyList<string> Updated { get; init; }
}

/// <summary>The partial-success 400: <c>{ ok:false, error:"a; b", data:{ updated } }</c>.</summary>
public sealed class SettingsChangeFailure
{
    public bool Ok => false;

    public required string Error { get; init; }

    public required SettingsChangeData Data { get; init; }
}
