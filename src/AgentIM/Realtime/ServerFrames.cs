using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Json;
using AgentIM.Messages;

namespace AgentIM.Realtime;

// Frames the hub sends (websocket.md §5 and §7). The "type" strings are the protocol: stable, never renamed.
// Frames are serialized with nulls omitted, because the real clients drop a frame holding a null where they expect
// an optional value (websocket.md §8.2).

public sealed record AuthResultFrame(bool Ok, string? Error, string? UserId)
{
    [JsonPropertyOrder(-1)] public string Type => "server:auth_result";
}

public sealed record ErrorFrame(string Code, string Message)
{
    [JsonPropertyOrder(-1)] public string Type => "server:error";
}

public sealed record PongFrame(double Ts)
{
    [JsonPropertyOrder(-1)] public string Type => "server:pong";
}

public sealed record NewMessageFrame(MessageDto Message)
{
    [JsonPropertyOrder(-1)] public string Type => "server:new_message";
}

public sealed record MessageChunkFrame(string RoomId, string AgentId, string AgentName, string MessageId, ChunkDto Chunk)
{
    [JsonPropertyOrder(-1)] public string Type => "server:message_chunk";
}

public sealed record MessageCompleteFrame(MessageDto Message)
{
    [JsonPropertyOrder(-1)] public string Type => "server:message_complete";
}

public sealed record TypingFrame(string RoomId, string UserId, string Username)
{
    [JsonPropertyOrder(-1)] public string Type => "server:typing";
}

public sealed record PresenceFrame(string UserId, string Username, bool Online)
{
    [JsonPropertyOrder(-1)] public string Type => "server:presence";
}

public sealed record AgentStatusFrame(AgentStatusDto Agent)
{
    [JsonPropertyOrder(-1)] public string Type => "server:agent_status";
}

public sealed record AgentStatusDto(
    string Id, string Name, string Type, string Status, RawJson? SlashCommands, RawJson? McpServers, string? Model);

public sealed record AgentsChangedFrame
{
    public static readonly AgentsChangedFrame Instance = new();

    public string Type => "server:agents_changed";
}

public sealed record RoomRemovedFrame(string RoomId)
{
    [JsonPropertyOrder(-1)] public string Type => "server:room_removed";
}

public sealed record RoomUpdateFrame(Rooms.RoomDto Room, IReadOnlyList<Rooms.RoomMemberDto>? Members)
{
    [JsonPropertyOrder(-1)] public string Type => "server:room_update";
}

public sealed record GatewayAuthResultFrame(bool Ok, string? Error)
{
    [JsonPropertyOrder(-1)] public string Type => "server:gateway_auth_result";
}

public sealed record SendToAgentFrame(
    string AgentId, string RoomId, string MessageId, string Content, string SenderName, string SenderType, string RoutingMode,
    string ConversationId, int Depth)
{
    [JsonPropertyOrder(-1)] public string Type => "server:send_to_agent";
}

public sealed record StopAgentFrame(string AgentId)
{
    [JsonPropertyOrder(-1)] public string Type => "server:stop_agent";
}

public sealed record RemoveAgentFrame(string AgentId)
{
    [JsonPropertyOrder(-1)] public string Type => "server:remove_agent";
}

/// <summary>
/// A streamed piece of an agent's reply (websocket.md §9). Stored inside a completion's <c>chunks</c> and replayed
/// verbatim in frames, so a missing metadata is left out even where nulls are otherwise written (websocket.md §8.2).
/// </summary>
public sealed record ChunkDto(
    string Type,
    string Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RawJson? Metadata);

public sealed record PermissionRequestFrame(
    string RequestId, string AgentId, string AgentName, string RoomId, string ToolName, RawJson ToolInput, DateTime ExpiresAt)
{
    [JsonPropertyOrder(-1)] public string Type => "server:permission_request";
}

public sealed record PermissionRequestExpiredFrame(string RequestId)
{
    [JsonPropertyOrder(-1)] public string Type => "server:permission_request_expired";
}

public sealed record PermissionResponseFrame(string RequestId, string AgentId, string Decision, string? DenyReason)
{
    [JsonPropertyOrder(-1)] public string Type => "server:permission_response";
}

public sealed record TerminalDataFrame(string AgentId, string AgentName, string RoomId, string Data)
{
    [JsonPropertyOrder(-1)] public string Type => "server:terminal_data";
}

public sealed record TaskUpdateFrame(Tasks.TaskDto Task)
{
    [JsonPropertyOrder(-1)] public string Type => "server:task_update";
}

public sealed record AgentCommandFrame(string AgentId, string RoomId, string Command, string Args, string UserId)
{
    [JsonPropertyOrder(-1)] public string Type => "server:agent_command";
}

public sealed record AgentCommandResultFrame(string AgentId, string RoomId, string Command, bool Success, string? Message)
{
    [JsonPropertyOrder(-1)] public string Type => "server:agent_command_result";
}

public sealed record QueryAgentInfoFrame(string AgentId, string? RoomId)
{
    [JsonPropertyOrder(-1)] public string Type => "server:query_agent_info";
}

public sealed record AgentInfoFrame(AgentInfoDto Agent)
{
    [JsonPropertyOrder(-1)] public string Type => "server:agent_info";
}

/// <summary>The agent's row overlaid with what its gateway reports live; nothing absent is sent as null (websocket.md §8.2).</summary>
public sealed record AgentInfoDto
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Status { get; init; }
    public required string GatewayId { get; init; }
    public RawJson? SlashCommands { get; init; }
    public RawJson? McpServers { get; init; }
    public string? Model { get; init; }
    public string? ThinkingMode { get; init; }
    public string? EffortLevel { get; init; }
    [JsonPropertyName("sessionCostUSD")] public double? SessionCostUsd { get; init; }
    public RawJson? AvailableModels { get; init; }
    public RawJson? AvailableModelInfo { get; init; }
    public RawJson? AvailableEffortLevels { get; init; }
    public RawJson? AvailableThinkingModes { get; init; }
    public bool? PlanMode { get; init; }
    public string? PermissionLevel { get; init; }
}

public sealed record RequestWorkspaceFrame(string AgentId, string RoomId, string RequestId, RawJson Request)
{
    [JsonPropertyOrder(-1)] public string Type => "server:request_workspace";
}

public sealed record WorkspaceResponseFrame(string AgentId, string RequestId, RawJson Response)
{
    [JsonPropertyOrder(-1)] public string Type => "server:workspace_response";
}

/// <summary>A hub-to-gateway credential or OAuth request (websocket.md §7); <see cref="Type"/> names which one.</summary>
public sealed record GatewayRelayFrame
{
    [JsonPropertyOrder(-1)] public required string Type { get; init; }
    public required string RequestId { get; init; }
    public string? AgentType { get; init; }
    public string? Name { get; init; }
    public string? Mode { get; init; }
    public string? ApiKey { get; init; }
    public string? BaseUrl { get; init; }
    public string? Model { get; init; }
    public string? CredentialId { get; init; }
    public string? Action { get; init; }
    public string? CredentialName { get; init; }
    public string? CallbackUrl { get; init; }
}

/// <summary>A gateway's answer relayed to its owner's sockets (websocket.md §5); <see cref="Type"/> names which one.</summary>
public sealed record OwnerRelayFrame
{
    [JsonPropertyOrder(-1)] public required string Type { get; init; }
    public string? RequestId { get; init; }
    public required string GatewayId { get; init; }
    public string? AgentType { get; init; }
    public bool? Success { get; init; }
    public string? AgentId { get; init; }
    public string? Error { get; init; }
    public string? AuthUrl { get; init; }
    public RawJson? Credentials { get; init; }
    public RawJson? Credential { get; init; }
}

public sealed record RoomContextFrame(string AgentId, RoomContextDto Context)
{
    [JsonPropertyOrder(-1)] public string Type => "server:room_context";
}

public sealed record RoomContextDto(
    string RoomId, string RoomName, string? SystemPrompt, IReadOnlyList<RoomContextMemberDto> Members,
    IReadOnlyList<RoomContextMessageDto> RecentMessages);

public sealed record RoomContextMemberDto(
    string Id, string Name, string Type, string? AgentType, RawJson? Capabilities, string? RoleDescription, string? Status);

public sealed record RoomContextMessageDto(string SenderName, string SenderType, string Content, DateTime CreatedAt);

public sealed record RoomRewoundFrame(string RoomId, string MessageId, IReadOnlyList<string> RemovedMessageIds, string MessageContent)
{
    [JsonPropertyOrder(-1)] public string Type => "server:room_rewound";
}

public sealed record RewindAgentFrame(string AgentId, string RoomId, string MessageId)
{
    [JsonPropertyOrder(-1)] public string Type => "server:rewind_agent";
}
