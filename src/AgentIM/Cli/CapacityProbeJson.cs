using System.Text.Json.Serialization;

namespace AgentIM.Cli;

/// <summary>
/// Source-generated JSON for <c>agentim capacity probe</c>: the REST bodies and client frames it sends as an ordinary
/// client of the hub, what it reads back, and its own --json report.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(ProbeLogin))]
[JsonSerializable(typeof(ProbeEnvelope<ProbeLoginData>))]
[JsonSerializable(typeof(ProbeNewUser))]
[JsonSerializable(typeof(ProbeUserLimits))]
[JsonSerializable(typeof(ProbeNewRoom))]
[JsonSerializable(typeof(ProbeEnvelope<ProbeIdOnly>))]
[JsonSerializable(typeof(ProbeEnvelope<Dictionary<string, List<ProbeSetting>>>))]
[JsonSerializable(typeof(ProbeSettingsChange))]
[JsonSerializable(typeof(ProbeAuthFrame))]
[JsonSerializable(typeof(ProbeRoomFrame))]
[JsonSerializable(typeof(ProbeSendFrame))]
[JsonSerializable(typeof(ProbePingFrame))]
internal sealed partial class CapacityProbeJson : JsonSerializerContext;

/// <summary>The --json report, indented for people and scripts alike.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CapacityProbeReport))]
internal sealed partial class CapacityProbeReportJson : JsonSerializerContext;
