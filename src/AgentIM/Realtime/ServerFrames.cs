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

public sealed record AgentStatusDto(string Id, string Name, string Type, string Status, RawJson? SlashCommands, RawJson? McpServers, string? Model);

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
