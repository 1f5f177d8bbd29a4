using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Settings;

/// <summary>Source-generated JSON for the settings routes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(SettingsChangeRequest))]
[JsonSerializable(typeof(ApiOk<Dictionary<string, List<SettingItem>>>))]
[JsonSerializable(typeof(ApiOk<SettingsChangeData>))]
[JsonSerializable(typeof(SettingsChangeFailure))]
internal sealed partial class SettingsJson : JsonSerializerContext;
