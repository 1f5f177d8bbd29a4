using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Rooms;

/// <summary>Source-generated JSON for the room frames this feature adds: nulls omitted (websocket.md §8.2).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(RoomClearedFrame))]
internal sealed partial class RoomFramesJson : JsonSerializerContext;
