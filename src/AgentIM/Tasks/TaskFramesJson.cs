using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Tasks;

/// <summary>Source-generated JSON for <c>server:task_update</c>: nulls omitted (websocket.md §8.2).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(TaskUpdateFrame))]
internal sealed partial class TaskFramesJson : JsonSerializerContext;
