using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Rooms;

/// <summary>Source-generated JSON for the room settings and per-member routes: camelCase, the rows' nulls kept.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(UpdateRoomRequest))]
[JsonSerializable(typeof(NotificationPrefRequest))]
[JsonSerializable(typeof(ApiOk<RoomDto>))]
[JsonSerializable(typeof(ApiOk<PinState>))]
[JsonSerializable(typeof(ApiOk<ArchiveState>))]
[JsonSerializable(typeof(ApiOk<ClearState>))]
[JsonSerializable(typeof(RoomMembersPage))]
internal sealed partial class RoomsJson : JsonSerializerContext;
