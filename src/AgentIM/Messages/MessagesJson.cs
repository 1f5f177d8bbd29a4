using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Messages;

/// <summary>Source-generated JSON for /api/messages bodies: camelCase, ISO-8601 UTC timestamps, the row's nulls kept.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(ApiOk<Dictionary<string, RecentMessage>>))]
[JsonSerializable(typeof(ApiOk<List<MessageDto>>))]
[JsonSerializable(typeof(ApiOk<MessageDto>))]
[JsonSerializable(typeof(ApiOk<List<ReactionDto>>))]
[JsonSerializable(typeof(ApiOk<List<MessageEditDto>>))]
[JsonSerializable(typeof(ApiOk<BatchDeleted>))]
[JsonSerializable(typeof(ApiOk<ReplyCount>))]
[JsonSerializable(typeof(ThreadResponse))]
[JsonSerializable(typeof(EditMessageRequest))]
[JsonSerializable(typeof(ReactionRequest))]
[JsonSerializable(typeof(BatchDeleteRequest))]
[JsonSerializable(typeof(ForwardRequest))]
internal sealed partial class MessagesJson : JsonSerializerContext;
