using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Agents;

/// <summary>Source-generated JSON for /api/agents bodies: camelCase, ISO-8601 UTC timestamps, the rows' nulls kept.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(ApiOk<AgentDto>))]
[JsonSerializable(typeof(ApiOk<List<AgentDto>>))]
[JsonSerializable(typeof(ApiOk<List<GatewayDto>>))]
[JsonSerializable(typeof(UpdateAgentRequest))]
[JsonSerializable(typeof(SpawnAgentRequest))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class AgentsJson : JsonSerializerContext;
