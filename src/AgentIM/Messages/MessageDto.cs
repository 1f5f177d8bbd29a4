using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Messages;

/// <summary>
/// A message as REST and frames carry it (rest-api.md §0.5, websocket.md §8.1). REST writes <c>replyToId</c> and
/// <c>updatedAt</c> as null when absent; frames omit them (their serializer skips nulls), because the web client
/// drops a frame that holds a null where it expects an optional value.
/// </summary>
public sealed record MessageDto
{
    public required string Id { get; init; }
    public required string RoomId { get; init; }
    public required string SenderId { get; init; }
    public required string SenderType { get; init; }
    public required string SenderName { get; init; }
    public required string Type { get; init; }
    public required string Content { get; init; }
    public string? ReplyToId { get; init; }
    public required IReadOnlyList<string> Mentions { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RawJson? Chunks { get; init; }

    public required DateTime CreatedAt { get; init; }
    public DateTime? UpdatedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<AttachmentDto>? Attachments { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ReactionDto>? Reactions { get; init; }
}

public sealed record AttachmentDto(string Id, string? MessageId, string Filename, string MimeType, long Size, string Url);

public sealed record ReactionDto(string Emoji, IReadOnlyList<string> UserIds, IReadOnlyList<string> Usernames);

/// <summary><c>GET /api/messages/rooms/:roomId</c> data.</summary>
public sealed record HistoryPage(
    IReadOnlyList<MessageDto> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextCursor,
    bool HasMore);
