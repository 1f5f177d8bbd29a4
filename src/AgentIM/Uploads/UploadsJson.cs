using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Http;

namespace AgentIM.Uploads;

/// <summary>Source-generated JSON for the upload routes' bodies.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ApiOk<UploadDto>))]
[JsonSerializable(typeof(ApiOk<AvatarDto>))]
internal sealed partial class UploadsJson : JsonSerializerContext;
