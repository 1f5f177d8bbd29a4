using System.Globalization;
using System.Text;
using AgentIM.Auth;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Messages;

/// <summary>
/// The reading side of /api/messages (rest-api.md #38–42, #44, #48, #49); the route table is in <see cref="MessagesEndpoints"/>.
/// </summary>
public static class MessageReadEndpoints
{
    public static async Task<IResult> RecentAsync(HttpContext context, MessageQueries queries, CancellationToken cancellationToken)
    {
        var recent = await queries.ListRecentAsync(context.Caller().UserId, cancellationToken);
        return Api.Ok(recent, MessagesJson.Default.ApiOkDictionaryStringRecentMessage);
    }

    /// <summary>Marks every room of the caller read; each room learns it from a <c>server:read_receipt</c>.</summary>
    public static async Task<IResult> MarkAllReadAsync(
        HttpContext context, MessageChanges changes, MessageEvents events, CancellationToken cancellationToken)
    {
        var caller = context.Caller();
        var now = Clock.UtcNow();
        foreach (var roomId in await changes.MarkAllReadAsync(caller.UserId, now, cancellationToken))
        {
            events.Read(roomId, caller.UserId, caller.Username, now);
        }

        return Api.Done();
    }

    public static async Task<IResult> MarkRoomReadAsync(
        string roomId,
        HttpContext context,
        MessageQueries queries,
        MessageChanges changes,
        MessageEvents events,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(roomId))
        {
            return Api.InvalidParameter("roomId");
        }

        var caller = context.Caller();
        if (!await queries.CanReadRoomAsync(roomId, caller.UserId, cancellationToken))
        {
            return Api.NotFound(MessagesEndpoints.RoomNotFound);
        }

        var now = Clock.UtcNow();
        if (await changes.MarkReadAsync(roomId, caller.UserId, now, cancellationToken))
        {
            events.Read(roomId, caller.UserId, caller.Username, now);
        }

        return Api.Done();
    }

    /// <summary>
    /// Case-insensitive substring search in the caller's rooms, newest first. Always an array, also for a caller in no
    /// room (upstream's <c>{items,hasMore}</c> there is a known inconsistency, behaviour.md §15.14). The query text is
    /// cleaned like stored text (NUL dropped, lone surrogates replaced), so it can match what was stored.
    /// </summary>
    public static async Task<IResult> SearchAsync(HttpContext context, MessageQueries queries, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var validation = new Validation();
        var q = query.TryGetValue("q", out var rawQ) ? rawQ.ToString() : null;
        validation.RequiredString("q", q, 2, 500);

        var limit = 20;
        if (query.TryGetValue("limit", out var rawLimit)
            && (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            validation.Add("limit", "Number must be between 1 and 100");
        }

        var senderType = Optional(query, "senderType");
        validation.OneOf("senderType", senderType, "user", "agent", "system");
        var dateFrom = ReadDate(query, "dateFrom", validation);
        var dateTo = ReadDate(query, "dateTo", validation);
        if (dateFrom is not null && dateTo is not null && dateFrom >= dateTo)
        {
            validation.Add("dateFrom", "validation.dateFromBeforeDateTo");
        }

        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var userId = context.Caller().UserId;
        var roomId = Optional(query, "roomId");
        if (roomId is not null && (!Ids.IsValidPathId(roomId) || !await queries.CanReadRoomAsync(roomId, userId, cancellationToken)))
        {
            return Api.NotFound(MessagesEndpoints.RoomNotFound);
        }

        var filter = new SearchFilter(
            LikePattern(ContentSanitizer.CleanCodeUnits(q!)), roomId, Optional(query, "senderId"), senderType, dateFrom, dateTo, limit);
        var items = await queries.SearchAsync(userId, filter, cancellationToken);
        return Api.Ok(items, MessagesJson.Default.ApiOkListMessageDto);
    }

    public static async Task<IResult> EditHistoryAsync(
        string id, HttpContext context, MessageQueries queries, CancellationToken cancellationToken)
    {
        if (await FindReadableAsync(id, context, queries, cancellationToken) is { } problem)
        {
            return problem;
        }

        var edits = await queries.ListEditsAsync(id, cancellationToken);
        return Api.Ok(edits, MessagesJson.Default.ApiOkListMessageEditDto);
    }

    /// <summary>
    /// Replies to a message, oldest first. <c>cursor</c> is the previous answer's <c>nextCursor</c> (a position that
    /// breaks ties between equal timestamps) or, as upstream, the createdAt of the last reply seen.
    /// </summary>
    public static async Task<IResult> ThreadAsync(
        string id, HttpContext context, MessageQueries queries, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var limit = 50;
        if (query.TryGetValue("limit", out var rawLimit))
        {
            if (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1)
            {
                return Api.Validation("limit", "Number must be between 1 and 100");
            }

            // Upstream caps rather than refuses a large limit.
            limit = Math.Min(limit, 100);
        }

        HistoryPosition? after = null;
        if (query.TryGetValue("cursor", out var rawCursor) && rawCursor.ToString().Length > 0)
        {
            if (!HistoryCursor.TryDecode(rawCursor, out var position))
            {
                return Api.Validation("cursor", "Invalid cursor");
            }

            after = position;
        }

        if (await FindReadableAsync(id, context, queries, cancellationToken) is { } problem)
        {
            return problem;
        }

        var (items, hasMore) = await queries.ListThreadAsync(id, after, limit, cancellationToken);
        var nextCursor = hasMore && items.Count > 0 ? HistoryCursor.Encode(items[^1].CreatedAt, items[^1].Id) : null;
        return Results.Json(new ThreadResponse { Data = items, NextCursor = nextCursor }, MessagesJson.Default.ThreadResponse);
    }

    public static async Task<IResult> RepliesCountAsync(
        string id, HttpContext context, MessageQueries queries, CancellationToken cancellationToken)
    {
        if (await FindReadableAsync(id, context, queries, cancellationToken) is { } problem)
        {
            return problem;
        }

        var count = await queries.CountRepliesAsync(id, cancellationToken);
        return Api.Ok(new ReplyCount(count), MessagesJson.Default.ApiOkReplyCount);
    }

    /// <summary>Escapes LIKE's wildcards and escape character, so the text matches only itself, anywhere in the content.</summary>
    internal static string LikePattern(string text)
    {
        var pattern = new StringBuilder(text.Length + 8).Append('%');
        foreach (var c in text)
        {
            if (c is '\\' or '%' or '_')
            {
                pattern.Append('\\');
            }

            pattern.Append(c);
        }

        return pattern.Append('%').ToString();
    }

    /// <summary>Null when the message exists in a room the caller may read; otherwise the answer to give.</summary>
    private static async Task<IResult?> FindReadableAsync(
        string id, HttpContext context, MessageQueries queries, CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var access = await queries.GetAccessAsync(id, context.Caller().UserId, cancellationToken);
        return access is { CallerIsMember: true } ? null : Api.NotFound(MessagesEndpoints.MessageNotFound);
    }

    private static string? Optional(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var raw) && raw.ToString().Length > 0 ? raw.ToString() : null;

    /// <summary>An ISO-8601 date-time; an offset is honoured (case B20), a bare date or other text is refused.</summary>
    private static DateTime? ReadDate(IQueryCollection query, string name, Validation validation)
    {
        if (Optional(query, name) is not { } text)
        {
            return null;
        }

        if (text.Contains('T', StringComparison.Ordinal) && UtcTimestampConverter.TryParse(text, out var value))
        {
            return value;
        }

        validation.Add(name, "Invalid datetime");
        return null;
    }
}
