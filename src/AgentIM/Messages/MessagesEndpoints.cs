using System.Globalization;
using AgentIM.Auth;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Messages;

/// <summary>
/// /api/messages (rest-api.md §6). Messages are created over the client socket (or forwarded here). A message or room
/// the caller may not read answers 404, as if it did not exist (STYLE.md); 403 is kept for members who lack the right.
/// </summary>
public static class MessagesEndpoints
{
    // Error texts are part of the contract; clients and tests rely on them.
    public const string MessageNotFound = "Message not found";
    public const string RoomNotFound = "Room not found";
    public const string InvalidEmoji = "Invalid emoji";
    public const string ReactionLimit = "Maximum reactions per message reached";
    public const string OnlySenderEdits = "Only the sender can edit this message";
    public const string OnlySenderDeletes = "Only the sender can delete this message";
    public const string SameRoomRequired = "All messages must belong to the same room";
    public const string NoDeletePermission = "No permission to delete these messages";
    public const string SameRoomForward = "Cannot forward to the same room";

    public static IEndpointRouteBuilder MapMessages(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/messages").RequireBearer();
        group.MapGet("/recent", MessageReadEndpoints.RecentAsync);
        group.MapPost("/mark-all-read", MessageReadEndpoints.MarkAllReadAsync);
        group.MapPost("/rooms/{roomId}/read", MessageReadEndpoints.MarkRoomReadAsync);
        group.MapGet("/search", MessageReadEndpoints.SearchAsync);
        group.MapGet("/rooms/{roomId}", HistoryAsync);
        group.MapPost("/{id}/reactions", MessageChangeEndpoints.ToggleReactionAsync);
        group.MapGet("/{id}/history", MessageReadEndpoints.EditHistoryAsync);
        group.MapPut("/{id}", MessageChangeEndpoints.EditAsync);
        group.MapDelete("/{id}", MessageChangeEndpoints.DeleteAsync);
        group.MapPost("/batch-delete", MessageChangeEndpoints.BatchDeleteAsync);
        group.MapGet("/{id}/thread", MessageReadEndpoints.ThreadAsync);
        group.MapGet("/{id}/replies/count", MessageReadEndpoints.RepliesCountAsync);
        group.MapPost("/{id}/forward", MessageChangeEndpoints.ForwardAsync);
        return app;
    }

    /// <summary>
    /// One page of history, newest first. <c>cursor</c> pages back in time (the previous page's <c>nextCursor</c>, or a
    /// timestamp); <c>after</c> catches up from a timestamp or cursor and returns the oldest messages after it, so a
    /// client that reconnects can walk forward without a gap.
    /// </summary>
    private static async Task<IResult> HistoryAsync(
        string roomId, HttpContext context, MessageStore messages, CancellationToken cancellationToken)
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
