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

public sealed record GatewayAuthFrame(
    string? Token, string? GatewayId, string? ProtocolVersion, DeviceInfoFrame? DeviceInfo, bool? Ephemeral);

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
    string? RoomId, string? AgentId, string? MessageId, string? FullContent, List<InboundChunk>? Chunks,
    string? ConversationId, int? Depth);

public sealed record GatewayPermissionRequestFrame(
    string? RequestId, string? AgentId, string? RoomId, string? ToolName, RawJson? ToolInput, long? TimeoutMs);

public sealed record ClientPermissionResponseFrame(string? RequestId, string? Decision, string? DenyReason);

public sealed record GatewayTerminalDataFrame(string? AgentId, string? Data);

public sealed record GatewayTaskUpdateFrame(string? TaskId, string? Status, string? Result);

public sealed record GatewayAgentCommandResultFrame(string? AgentId, string? RoomId, string? Command, bool? Success, string? Message);

public sealed record GatewayAgentInfoFrame(
    string? AgentId, string? RoomId, RawJson? SlashCommands, RawJson? McpServers, string? Model, string? ThinkingMode, string? EffortLevel,
    [property: System.Text.Json.Serialization.JsonPropertyName("sessionCostUSD")] double? SessionCostUsd,
    RawJson? AvailableModels, RawJson? AvailableModelInfo, RawJson? AvailableEffortLevels, RawJson? AvailableThinkingModes, bool? PlanMode,
    string? PermissionLevel);

public sealed record GatewayWorkspaceResponseFrame(string? AgentId, string? RequestId, RawJson? Response);

/// <summary>Every gateway answer relayed to the owner: spawn, credential and OAuth results share these fields.</summary>
public sealed record GatewayOwnerReplyFrame(
    string? RequestId, string? AgentType, bool? Success, string? AgentId, string? Error, string? AuthUrl,
    RawJson? Credentials, RawJson? Credential);

public sealed record ClientAgentCommandFrame(string? AgentId, string? RoomId, string? Command, string? Args);

public sealed record ClientQueryAgentInfoFrame(string? AgentId, string? RoomId);

public sealed record ClientRequestWorkspaceFrame(string? RoomId, string? AgentId, RawJson? Request);

/// <summary>Every client credential/OAuth request: the fields of all five types (websocket.md §4).</summary>
public sealed record ClientGatewayRelayFrame(
    string? GatewayId, string? AgentType, string? Name, string? Mode, string? ApiKey, string? BaseUrl, string? Model, string? CredentialId,
    string? Action, string? CredentialName, string? RequestId, string? CallbackUrl);

public sealed record ClientRewindRoomFrame(string? RoomId, string? MessageId);
