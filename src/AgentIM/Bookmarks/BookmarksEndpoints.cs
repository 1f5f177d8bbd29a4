using System.Globalization;
using AgentIM.Auth;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Http;
using AgentIM.Messages;

namespace AgentIM.Bookmarks;

/// <summary>
/// /api/bookmarks (rest-api.md §13): a user's own bookmarks of messages in rooms they are in. A message in a room
/// the caller is not in, and another user's bookmark, answer 404 (behaviour.md §15).
/// </summary>
public static class BookmarksEndpoints
{
    // Error texts are part of the contract; clients and tests rely on them.
    public const string MessageNotFound = "Message not found";
    public const string BookmarkNotFound = "Bookmark not found";
    public const string AlreadyExists = "Bookmark already exists";
    public const string LimitReached = "Maximum bookmarks reached";

    public static IEndpointRouteBuilder MapBookmarks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/bookmarks").RequireBearer();
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapDelete("/{id}", DeleteAsync);
        return app;
    }

    /// <summary>
    /// Newest first. <c>cursor</c> is the previous page's <c>nextCursor</c> (an opaque position that breaks ties
    /// between equal timestamps) or, as upstream, a bookmark's createdAt.
    /// </summary>
    private static async Task<IResult> ListAsync(HttpContext context, BookmarkStore bookmarks, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var limit = 50;
        if (query.TryGetValue("limit", out var rawLimit)
            && (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return Api.Validation("limit", "Number must be between 1 and 100");
        }

        HistoryPosition? before = null;
        if (query.TryGetValue("cursor", out var rawCursor) && rawCursor.ToString().Length > 0)
        {
            if (!HistoryCursor.TryDecode(rawCursor, out var position))
            {
                return Api.Validation("cursor", "Invalid cursor");
            }

            before = position;
        }

        var (items, hasMore) = await bookmarks.ListAsync(context.Caller().UserId, before, limit, cancellationToken);
        var nextCursor = hasMore && items.Count > 0 ? HistoryCursor.Encode(items[^1].CreatedAt, items[^1].Id) : null;
        return Api.Ok(new BookmarkPage(items, nextCursor, hasMore), BookmarksJson.Default.ApiOkBookmarkPage);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, BookmarkStore bookmarks, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(context.Request, BookmarksJson.Default.CreateBookmarkRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        validation.RequiredString("messageId", request.MessageId, 1, 100);
        validation.OptionalString("note", request.Note, 0, 500);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var (outcome, bookmark) = await bookmarks.CreateAsync(
            context.Caller().UserId, request.MessageId!, request.Note ?? "", cancellationToken);
        return outcome switch
        {
            CreateBookmarkOutcome.Created => Api.Ok(bookmark!, BookmarksJson.Default.ApiOkBookmarkDto, StatusCodes.Status201Created),
            CreateBookmarkOutcome.MessageNotFound => Api.NotFound(MessageNotFound),
            CreateBookmarkOutcome.AlreadyExists => Api.Error(StatusCodes.Status409Conflict, AlreadyExists),
            _ => Api.Error(400, LimitReached),
        };
    }

    private static async Task<IResult> DeleteAsync(
        string id, HttpContext context, BookmarkStore bookmarks, CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        return await bookmarks.DeleteAsync(id, context.Caller().UserId, cancellationToken)
            ? Api.Ok(new DeletedBookmark(id), BookmarksJson.Default.ApiOkDeletedBookmark)
            : Api.NotFound(BookmarkNotFound);
    }
}
