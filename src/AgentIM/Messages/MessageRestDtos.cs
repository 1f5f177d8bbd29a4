using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Messages;

/// <summary>One room's entry in <c>GET /api/messages/recent</c>: its latest message and the caller's unread count.</summary>
public sealed record RecentMessage(string Content, string SenderName, DateTime CreatedAt, long Unread);

/// <summary>A row of a message's edit history (<c>GET /api/messages/:id/history</c>).</summary>
public sealed record MessageEditDto(string Id, string MessageId, string PreviousContent, DateTime EditedAt);

public sealed record BatchDeleted(int Deleted);

public sealed record ReplyCount(long Count);

/// <summary>
/// A reply as the thread route returns it: unlike everywhere else <c>chunks</c> is written as null and
/// <c>attachments</c> is always an array (rest-api.md §0.5, #48).
/// </summary>
public sealed record ThreadMessageDto(
    string Id,
    string RoomId,
    string SenderId,
    string SenderType,
    string SenderName,
    string Type,
    string Content,
    string? ReplyToId,
    IReadOnlyList<string> Mentions,
    RawJson? Chunks,
    DateTime CreatedAt,
    DateTime? UpdatedAt,
    IReadOnlyList<AttachmentDto> Attachments);

/// <summary><c>GET /api/messages/:id/thread</c>: the contract puts <c>nextCursor</c> next to <c>data</c>, not inside it.</summary>
public sealed class ThreadResponse
{
    public bool Ok => true;

    public required IReadOnlyList<ThreadMessageDto> Data { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NextCursor { get; init; }
}

public sealed record EditMessageRequest(string? Content);

public sealed record ReactionRequest(string? Emoji);

public sealed record BatchDeleteRequest(List<string?>? MessageIds);

public sealed record ForwardRequest(string? TargetRoomId);
