using System.Text.Json.Serialization;
using AgentIM.Auth;
using AgentIM.Health;
using AgentIM.Infrastructure.Http;
using AgentIM.Messages;
using AgentIM.Realtime;
using AgentIM.Rooms;
using AgentIM.Users;

namespace AgentIM.Infrastructure.Json;

/// <summary>
/// Source-generated JSON for REST bodies: camelCase, ISO-8601 UTC timestamps, and the contract's nulls kept
/// (REST returns rows, where an absent value is null).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(ApiDone))]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<ChunkDto>))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(ApiOk<LoginResponse>))]
[JsonSerializable(typeof(ApiOk<RefreshResponse>))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(ApiOk<MeResponse>))]
[JsonSerializable(typeof(ApiOk<CreatedUser>))]
[JsonSerializable(typeof(CreateRoomRequest))]
[JsonSerializable(typeof(AddMemberRequest))]
[JsonSerializable(typeof(ApiOk<RoomDto>))]
[JsonSerializable(typeof(ApiOk<List<RoomListItem>>))]
[JsonSerializable(typeof(ApiOk<RoomDetail>))]
[JsonSerializable(typeof(ApiOk<HistoryPage>))]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class ApiJson : JsonSerializerContext;
