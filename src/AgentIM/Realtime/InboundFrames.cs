using AgentIM.Infrastructure.Json;

namespace AgentIM.Realtime;

// Frames the hub receives (websocket.md §4 and §6). Every field is nullable here: presence and ranges are
// checked by hand after parsing, so a frame that lacks a field gets the contract's error, not an exception.

public sealed record ClientAuthFrame(string? Token, string? ProtocolVersion);

public sealed record ClientRoomFrame(string? RoomId);

public sealed record ClientPingFrame(double? Ts);

public sealed record ClientSendMessageFrame(
    string? RoomId, string? Content, List<string>? Mentions, string? ReplyToId, List<string>? AttachmentIds);

public sealed record ClientStopGenerationFrame(string? RoomId, string? AgentId);

public sealed record GatewayAuthFrame(string? Token, string? GatewayId, string? ProtocolVersion, DeviceInfoFrame? DeviceInfo, bool? Ephemeral);

public sealed record DeviceInfoFrame(string? Hostname, string? Platform, string? Arch, string? NodeVersion, string? AgentimVersion);

public sealed record GatewayRegisterAgentFrame(AgentFrame? Agent);

public sealed record AgentFrame(
    string? Id, string? Name, string? Type, string? WorkingDirectory, List<string>? Capabilities, RawJson? SlashCommands,
    List<string>? McpServers, string? Model);

public sealed record GatewayAgentFrame(string? AgentId);

public sealed record GatewayAgentStatusFrame(string? AgentId, string? Status, int? QueueDepth);

public sealed record GatewayChunkFrame(string? RoomId, string? AgentId, string? MessageId, InboundChunk? Chunk);

public sealed record InboundChunk(string? Type, string? Content, RawJson? Metadata);

public sealed record GatewayCompleteFrame(
    string? RoomId, string? AgentId, string? MessageId, string? FullContent, List<InboundChunk>? Chunks, string? ConversationId, int? Depth);

public sealed record GatewayPermissionRequestFrame(
    string? RequestId, string? AgentId, string? RoomId, string? ToolName, RawJson? ToolInput, long? TimeoutMs);

public sealed record ClientPermissionResponseFrame(string? RequestId, string? Decision, string? DenyReason);
