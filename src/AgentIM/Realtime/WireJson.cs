using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Realtime;

/// <summary>Source-generated JSON for WebSocket frames: camelCase, nulls omitted, ISO-8601 UTC timestamps.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(AuthResultFrame))]
[JsonSerializable(typeof(ErrorFrame))]
[JsonSerializable(typeof(PongFrame))]
[JsonSerializable(typeof(NewMessageFrame))]
[JsonSerializable(typeof(MessageChunkFrame))]
[JsonSerializable(typeof(MessageCompleteFrame))]
[JsonSerializable(typeof(TypingFrame))]
[JsonSerializable(typeof(PresenceFrame))]
[JsonSerializable(typeof(AgentStatusFrame))]
[JsonSerializable(typeof(AgentsChangedFrame))]
[JsonSerializable(typeof(RoomRemovedFrame))]
[JsonSerializable(typeof(RoomUpdateFrame))]
[JsonSerializable(typeof(GatewayAuthResultFrame))]
[JsonSerializable(typeof(SendToAgentFrame))]
[JsonSerializable(typeof(StopAgentFrame))]
[JsonSerializable(typeof(RemoveAgentFrame))]
[JsonSerializable(typeof(ClientAuthFrame))]
[JsonSerializable(typeof(ClientRoomFrame))]
[JsonSerializable(typeof(ClientPingFrame))]
[JsonSerializable(typeof(ClientSendMessageFrame))]
[JsonSerializable(typeof(ClientStopGenerationFrame))]
[JsonSerializable(typeof(GatewayAuthFrame))]
[JsonSerializable(typeof(GatewayRegisterAgentFrame))]
[JsonSerializable(typeof(GatewayAgentFrame))]
[JsonSerializable(typeof(GatewayAgentStatusFrame))]
[JsonSerializable(typeof(GatewayChunkFrame))]
[JsonSerializable(typeof(GatewayCompleteFrame))]
[JsonSerializable(typeof(List<InboundChunk>))]
[JsonSerializable(typeof(PermissionRequestFrame))]
[JsonSerializable(typeof(PermissionRequestExpiredFrame))]
[JsonSerializable(typeof(PermissionResponseFrame))]
[JsonSerializable(typeof(GatewayPermissionRequestFrame))]
[JsonSerializable(typeof(ClientPermissionResponseFrame))]
internal sealed partial class WireJson : JsonSerializerContext;
