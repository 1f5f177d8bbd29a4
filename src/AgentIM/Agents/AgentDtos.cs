using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Agents;

/// <summary>
/// An agent as REST returns it (rest-api.md §0.5, "enriched"): the row, with NULL <c>capabilities</c>,
/// <c>slashCommands</c>, <c>mcpServers</c> and <c>model</c> omitted, plus the owning gateway's device info.
/// </summary>
public sealed record AgentDto
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Status { get; init; }
    public required string Visibility { get; init; }
    public required RawJson VisibilityList { get; init; }
    public required string GatewayId { get; init; }
    public string? WorkingDirectory { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RawJson? Capabilities { get; init; }

    public required string ConnectionType { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RawJson? SlashCommands { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RawJson? McpServers { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Model { get; init; }

    public DateTime? LastSeenAt { get; init; }
    public required DateTime CreatedAt { get; init; }
    public required DateTime UpdatedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DeviceInfoDto? DeviceInfo { get; init; }

    /// <summary>Display name of the owner; only in <c>GET /api/agents/shared</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OwnerName { get; init; }

    /// <summary>The user who owns the agent's gateway; internal, never sent.</summary>
    [JsonIgnore]
    public string OwnerId { get; init; } = "";
}

/// <summary>The owning gateway's machine; NULL columns become empty strings (rest-api.md §0.5).</summary>
public sealed record DeviceInfoDto(string Hostname, string Platform, string Arch, string NodeVersion);

/// <summary>A gateway row, flat (rest-api.md §0.5).</summary>
public sealed record GatewayDto
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public required string Name { get; init; }
    public string? Hostname { get; init; }
    public string? Platform { get; init; }
    public string? Arch { get; init; }
    public string? NodeVersion { get; init; }
    public DateTime? ConnectedAt { get; init; }
    public DateTime? DisconnectedAt { get; init; }
    public required bool Ephemeral { get; init; }
    public required DateTime CreatedAt { get; init; }
}

public sealed record UpdateAgentRequest(string? Visibility, List<string?>? VisibilityList, string? Name);

public sealed record SpawnAgentRequest(string? GatewayId, string? AgentType, string? Name, string? WorkingDirectory, string? CredentialId);

/// <summary>What deleting a gateway took with it: its agents and the rooms they were in.</summary>
public sealed record DeletedGateway(IReadOnlyList<string> AgentIds, IReadOnlyList<string> RoomIds);
