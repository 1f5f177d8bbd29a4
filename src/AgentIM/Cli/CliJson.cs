using System.Text.Json.Serialization;

namespace AgentIM.Cli;

/// <summary>Source-generated JSON for the CLI's --json output (no reflection under native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(List<UserListEntry>))]
[JsonSerializable(typeof(CapacityPlan))]
public sealed partial class CliJson : JsonSerializerContext;
