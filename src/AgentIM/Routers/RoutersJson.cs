using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Routers;

/// <summary>Source-generated JSON for the routers routes and the router test call.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(RouterRequest))]
[JsonSerializable(typeof(ApiOk<RouterDto>))]
[JsonSerializable(typeof(ApiOk<List<RouterDto>>))]
[JsonSerializable(typeof(ApiOk<RouterTestResult>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(ChatProbe))]
internal sealed partial class RoutersJson : JsonSerializerContext;
