using System.Globalization;
using AgentIM.Auth;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Messages;

/// <summary>/api/messages (rest-api.md §6). Messages are created over the client socket, not here.</summary>
public static class MessagesEndpoints
{
    public static IEndpointRouteBuilder MapMessages(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/messages").RequireBearer();
        group.MapGet("/rooms/{roomId}", HistoryAsync);
        return app;
    }

    /// <summary>
    /// One page of history, newest first. <c>cursor</c> pages back in time (the previous page's <c>nextCursor</c>, or a
    /// timestamp); <c>after</c> catches up from a timestamp or cursor and returns the oldest messages after it, so a
    /// client that reconnects can walk forward without a gap.
    /// </summary>
    private static async Task<IResult> HistoryAsync(string roomId, HttpContext context, MessageStore messages, CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(roomId))
        {
            return Api.InvalidParameter("roomId");
        }

        var query = context.Request.Query;
        var limit = 50;
        if (query.TryGetValue("limit", out var rawLimit)
            && (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return Api.Validation("limit", "Number must be between 1 and 100");
        }

        HistoryPosition? before = null;
        HistoryPosition? after = null;
        if (query.TryGetValue("cursor", out var rawCursor) && rawCursor.ToString().Length > 0)
        {
            if (!HistoryCursor.TryDecode(rawCursor, out var position))
            {
                return Api.Validation("cursor", "Invalid cursor");
            }

            before = position;
        }

        if (query.TryGetValue("after", out var rawAfter) && rawAfter.ToString().Length > 0)
        {
            if (!HistoryCursor.TryDecode(rawAfter, out var position))
            {
                return Api.Validation("after", "Invalid timestamp");
            }

            after = position;
        }

        var (isMember, clearedAt) = await messages.GetReaderStateAsync(roomId, context.Caller().UserId, cancellationToken);
        if (!isMember)
        {
            return Api.NotFound("Room not found");
        }

        var (items, hasMore) = await messages.ListHistoryAsync(roomId, clearedAt, before, after, limit, cancellationToken);
        string? nextCursor = null;
        if (hasMore && items.Count > 0)
        {
            var edge = after is null ? items[^1] : items[0];
            nextCursor = HistoryCursor.Encode(edge.CreatedAt, edge.Id);
        }

        return Api.Ok(new HistoryPage(items, nextCursor, hasMore), ApiJson.Default.ApiOkHistoryPage);
    }
}
