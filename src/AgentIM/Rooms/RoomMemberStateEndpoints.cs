using AgentIM.Auth;
using AgentIM.Infrastructure.Http;
using AgentIM.Realtime;

namespace AgentIM.Rooms;

/// <summary>
/// A member's own view of a room (rest-api.md #33–#37): pin, archive, clear, notification preference, and the member
/// list. Mapped by <see cref="RoomsEndpoints"/>.
/// </summary>
public static class RoomMemberStateEndpoints
{
    public const string NotAMember = "Not a member";
    public const string InvalidPreference = "Invalid preference. Must be one of: all, mentions, none";

    public static async Task<IResult> TogglePinAsync(string id, HttpContext context, RoomStore rooms, CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var pinned = await rooms.TogglePinAsync(id, context.Caller().UserId, cancellationToken);
        return pinned is null ? Api.NotFound(NotAMember) : Api.Ok(new PinState(pinned.Value), RoomsJson.Default.ApiOkPinState);
    }

    public static async Task<IResult> ToggleArchiveAsync(
        string id, HttpContext context, RoomStore rooms, CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var archived = await rooms.ToggleArchiveAsync(id, context.Caller().UserId, cancellationToken);
        return archived is null ? Api.NotFound(NotAMember) : Api.Ok(new ArchiveState(archived.Value), RoomsJson.Default.ApiOkArchiveState);
    }

    /// <summary>Hides the history so far from the caller only; the caller's other tabs and devices hear of it.</summary>
    public static async Task<IResult> ClearAsync(
        string id, HttpContext context, RoomStore rooms, RoomEvents events, CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var caller = context.Caller().UserId;
        var clearedAt = await rooms.ClearAsync(id, caller, cancellationToken);
        if (clearedAt is null)
        {
            return Api.NotFound(NotAMember);
        }

        events.RoomCleared(id, caller, clearedAt.Value);
        return Api.Ok(new ClearState(clearedAt.Value), RoomsJson.Default.ApiOkClearState);
    }

    public static async Task<IResult> SetNotificationPrefAsync(
        string id, HttpContext context, RoomStore rooms, CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var body = await JsonBody.ReadAsync(context.Request, RoomsJson.Default.NotificationPrefRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        if (body.Value!.Pref is not ("all" or "mentions" or "none"))
        {
            return Api.Error(400, InvalidPreference);
        }

        // A room the caller is not in is not theirs to see: 404 rather than the contract's 403.
        return await rooms.SetNotificationPrefAsync(id, context.Caller().UserId, body.Value.Pref, cancellationToken)
            ? Api.Done()
            : Api.NotFound(RoomsEndpoints.RoomNotFound);
    }

    public static async Task<IResult> ListMembersAsync(string id, HttpContext context, RoomStore rooms, CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var (exists, role) = await rooms.GetUserRoleAsync(id, context.Caller().UserId, cancellationToken);
        if (!exists || role is null)
        {
            return Api.NotFound(RoomsEndpoints.RoomNotFound);
        }

        var paging = QueryPaging.Read(context.Request.Query, 100, 500);
        var (members, total) = await rooms.ListMembersPageAsync(id, paging.Limit, paging.Offset, cancellationToken);
        var page = new RoomMembersPage { Data = members, Pagination = new Pagination(paging.Limit, paging.Offset, total) };
        return Results.Json(page, RoomsJson.Default.RoomMembersPage);
    }
}
