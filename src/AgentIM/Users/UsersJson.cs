using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Users;

/// <summary>Source-generated JSON for the /api/users bodies added beside the profile: camelCase, the row's nulls kept.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(UpdateMeRequest))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(UpdateUserRequest))]
[JsonSerializable(typeof(ApiOk<List<UserSearchResult>>))]
[JsonSerializable(typeof(UserListResponse))]
[JsonSerializable(typeof(ApiOk<UpdatedUser>))]
[JsonSerializable(typeof(ApiOk<List<OAuthAccount>>))]
internal sealed partial class UsersJson : JsonSerializerContext;
