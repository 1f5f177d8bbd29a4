using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Agents;

/// <summary>Source-generated JSON for the frames the agents routes send: nulls omitted (websocket.md §8.2).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(SpawnAgentFrame))]
internal sealed partial class AgentFramesJson : JsonSerializerContext;
