using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Metrics;

/// <summary>Source-generated JSON for the admin metrics; dictionary keys are written as they are (not camel-cased).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(ApiOk<AdminMetrics>))]
internal sealed partial class AdminMetricsJson : JsonSerializerContext;
