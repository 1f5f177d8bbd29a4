using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Tasks;

/// <summary>Source-generated JSON for /api/tasks bodies: camelCase, ISO-8601 UTC timestamps, the row's nulls kept.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(ApiOk<TaskDto>))]
[JsonSerializable(typeof(ApiOk<List<TaskDto>>))]
[JsonSerializable(typeof(CreateTaskRequest))]
[JsonSerializable(typeof(UpdateTaskRequest))]
internal sealed partial class TasksJson : JsonSerializerContext;
