using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Messages;

/// <summary>Source-generated JSON for the frames of <see cref="MessageEvents"/>: camelCase, nulls omitted, ISO-8601 UTC.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(MessageEditedFrame))]
[JsonSerializable(typeof(MessageDeletedFrame))]
[JsonSerializable(typeof(ReactionUpdateFrame))]
[JsonSerializable(typeof(ReadReceiptFrame))]
internal sealed partial class MessageFramesJson : JsonSerializerContext;
