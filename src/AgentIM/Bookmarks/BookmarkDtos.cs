using System.Text.Json.Serialization;

namespace AgentIM.Bookmarks;

/// <summary>A bookmark row as <c>POST /api/bookmarks</c> returns it.</summary>
public sealed record BookmarkDto(string Id, string UserId, string MessageId, string? Note, DateTime CreatedAt);

/// <summary>A bookmark in the list, with the part of its message the list shows.</summary>
public sealed record BookmarkItem(string Id, string UserId, string MessageId, string? Note, DateTime CreatedAt, BookmarkedMessage Message);

public sealed record BookmarkedMessage(string RoomId, string SenderName, string Content, DateTime CreatedAt);

/// <summary><c>GET /api/bookmarks</c> data; <c>nextCursor</c> only when there is more.</summary>
public sealed record BookmarkPage(
    IReadOnlyList<BookmarkItem> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextCursor,
    bool HasMore);

public sealed record DeletedBookmark(string Id);

public sealed record CreateBookmarkRequest(string? MessageId, string? Note);

public enum CreateBookmarkOutcome
{
    Created,
    MessageNotFound,
    AlreadyExists,
    LimitReached,
}
