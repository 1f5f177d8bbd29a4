using System.Text.Json.Serialization;

namespace AgentIM.Agents;

/// <summary>
/// Asks a gateway daemon to start an agent (websocket.md §7). The type string is protocol: stable, never renamed.
/// The outcome comes back later as <c>gateway:spawn_result</c> carrying the same request id.
/// </summary>
public sealed record SpawnAgentFrame(string RequestId, string AgentType, string Name, string? WorkingDirectory, string? CredentialId)
{
    [JsonPropertyOrder(-1)] public string Type => "server:spawn_agent";
}
