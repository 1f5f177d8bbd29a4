using AgentIM.Agents;
using AgentIM.Audit;
using AgentIM.Auth;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;
using AgentIM.Messages;
using AgentIM.Realtime;
using AgentIM.Routers;
using Npgsql;

namespace AgentIM.Rooms;

/// <summary>
/// /api/rooms (rest-api.md §5). A room the caller is not in answers 404, so its existence does not leak
/// (behaviour.md §15: what the caller may not see is not found).
/// </summary>
public static class RoomsEndpoints
{
    public const string RoomNotFound = "Room not found";

    public static IEndpointRouteBuilder MapRooms(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/rooms").RequireBearer();
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", RoomSettingsEndpoints.UpdateAsync);
        group.MapDelete("/{id}", RoomSettingsEndpoints.DeleteAsync);
        group.MapPut("/{id}/pin", RoomMemberStateEndpoints.TogglePinAsync);
        group.MapPut("/{id}/archive", RoomMemberStateEndpoints.ToggleArchiveAsync);
        group.MapPut("/{id}/clear", RoomMemberStateEndpoints.ClearAsync);
        group.MapPut("/{id}/notification-pref", RoomMemberStateEndpoints.SetNotificationPrefAsync);
        group.MapGet("/{id}/members", RoomMemberStateEndpoints.ListMembersAsync);
        group.MapPost("/{id}/members", AddMemberAsync);
        group.MapDelete("/{id}/members/{memberId}", RemoveMemberAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext context, RoomStore rooms, CancellationToken cancellationToken)
    {
        var list = await rooms.ListForUserAsync(context.Caller().UserId, cancellationToken);
        return Api.Ok(list, ApiJson.Default.ApiOkListRoomListItem);
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context, RoomStore rooms, RouterAccess routers, AuditLog audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(context.Request, ApiJson.Default.CreateRoomRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        if (validation.RequiredString("name", request.Name, 1, 100))
        {
            validation.NotBlank("name", request.Name, "validation.nameWhitespace");
        }

        validation.OneOf("type", request.Type, "private", "group");
        validation.OptionalString("systemPrompt", request.SystemPrompt, 0, 10_000);
        validation.OptionalString("routerId", request.RouterId, 1, 100);
        validation.OneOf("agentCommandRole", request.AgentCommandRole, "member", "admin", "owner");
        if (request.MemberIds is { Count: > 100 })
        {
            validation.Add("memberIds", "Array must contain at most 100 element(s)");
        }
        else if (request.MemberIds?.Any(id => id is null || id.Length is 0 or > 100) == true)
        {
            validation.Add("memberIds", "Invalid member id");
        }

        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var name = ContentSanitizer.SanitizeText(request.Name!);
        if (name.Length == 0)
        {
            return Api.Validation("name", "validation.nameWhitespace");
        }

        var caller = context.Caller().UserId;
        if (request.RouterId is { } routerId
            && RouterAccess.Refusal(await routers.CheckAsync(routerId, caller, cancellationToken)) is { } refused)
        {
            return refused;
        }

        var memberIds = (request.MemberIds ?? []).Where(id => id != caller).Distinct().ToList();
        RoomDto? room;
        try
        {
            room = await rooms.CreateAsync(
                caller, name, request.Type ?? "group", request.BroadcastMode ?? false, request.SystemPrompt, request.RouterId,
                request.AgentCommandRole ?? "member", memberIds, cancellationToken);
        }
        catch (PostgresException e) when (DbErrors.IsForeignKeyViolation(e) && request.RouterId is not null)
        {
            // The router was deleted between the check and the insert.
            return Api.Error(409, RouterAccess.Gone);
        }

        if (room is null)
        {
            return Api.Error(400, "One or more users not found");
        }

        await audit.WriteAsync(
            context, caller, AuditActions.RoomCreate, room.Id, AuditActions.RoomTarget,
            new AuditMetadata().Add("name", room.Name).Add("members", memberIds.Count), cancellationToken);
        return Api.Ok(room, ApiJson.Default.ApiOkRoomDto, StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, RoomStore rooms, CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var (exists, role) = await rooms.GetUserRoleAsync(id, context.Caller().UserId, cancellationToken);
        var room = exists && role is not null ? await rooms.GetAsync(id, cancellationToken) : null;
        if (room is null)
        {
            return Api.NotFound(RoomNotFound);
        }

        var members = await rooms.ListMembersAsync(id, 500, cancellationToken);
        var detail = new RoomDetail
        {
            Id = room.Id,
            Name = room.Name,
            Type = room.Type,
            BroadcastMode = room.BroadcastMode,
            SystemPrompt = room.SystemPrompt,
            RouterId = room.RouterId,
            AgentCommandRole = room.AgentCommandRole,
            CreatedById = room.CreatedById,
            CreatedAt = room.CreatedAt,
            UpdatedAt = room.UpdatedAt,
            Members = members.Take(100).Select(m => m with { DisplayName = null }).ToList(),
            TotalMembers = members.Count,
        };
        return Api.Ok(detail, ApiJson.Default.ApiOkRoomDetail);
    }

    private static async Task<IResult> AddMemberAsync(
        string id,
        HttpContext context,
        RoomStore rooms,
        AgentStore agents,
        RoomEvents events,
        RoomContexts contexts,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var body = await JsonBody.ReadAsync(context.Request, ApiJson.Default.AddMemberRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        validation.RequiredString("memberId", request.MemberId, 1, 100);
        if (request.MemberType is null)
        {
            validation.Add("memberType", "Required");
        }

        validation.OneOf("memberType", request.MemberType, "user", "agent");
        validation.OneOf("role", request.Role, "owner", "admin", "member");
        validation.OptionalString("roleDescription", request.RoleDescription, 0, 500);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var caller = context.Caller().UserId;
        var (exists, role) = await rooms.GetUserRoleAsync(id, caller, cancellationToken);
        if (!exists || role is null)
        {
            return Api.NotFound(RoomNotFound);
        }

        if (role is not ("owner" or "admin"))
        {
            return Api.Forbidden("Only room owner or admin can add members");
        }

        if (request.MemberType == "user" && !await rooms.UserExistsAsync(request.MemberId!, cancellationToken))
        {
            return Api.NotFound("User not found");
        }

        if (request.MemberType == "agent")
        {
            switch (await agents.GetAccessAsync(request.MemberId!, caller, cancellationToken))
            {
                case AgentAccess.NotFound:
                    return Api.NotFound("Agent not found");
                case AgentAccess.NotShared:
                    return Api.Forbidden("You do not own this agent and it is not shared");
            }
        }

        var outcome = await rooms.AddMemberAsync(
            id, request.MemberId!, request.MemberType!, request.Role ?? "member", request.RoleDescription, cancellationToken);
        if (outcome == AddMemberOutcome.AlreadyMember)
        {
            return Api.Error(409, "Member already in room");
        }

        await events.MembersChangedAsync(id, cancellationToken);
        await contexts.RoomChangedAsync(id, cancellationToken);
        await audit.WriteAsync(
            context, caller, AuditActions.MemberAdd, request.MemberId, AuditActions.MemberTarget,
            new AuditMetadata().Add("roomId", id).Add("memberType", request.MemberType).Add("role", request.Role ?? "member"),
            cancellationToken);
        return Results.Json(ApiDone.Instance, ApiJson.Default.ApiDone, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RemoveMemberAsync(
        string id,
        string memberId,
        HttpContext context,
        RoomStore rooms,
        RoomEvents events,
        RoomContexts contexts,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        if (!Infrastructure.Ids.IsValidPathId(memberId))
        {
            return Api.InvalidParameter("memberId");
        }

        var caller = context.Caller().UserId;
        var (exists, role) = await rooms.GetUserRoleAsync(id, caller, cancellationToken);
        if (!exists || role is null)
        {
            return Api.NotFound(RoomNotFound);
        }

        if (memberId != caller && role is not ("owner" or "admin"))
        {
            return Api.Forbidden("Only room owner or admin can remove members");
        }

        var room = await rooms.GetAsync(id, cancellationToken);
        if (room?.CreatedById == memberId)
        {
            return Api.Error(400, "Cannot remove the room creator");
        }

        var removedType = await rooms.RemoveMemberAsync(id, memberId, cancellationToken);
        if (removedType == "user")
        {
            events.UserRemoved(id, memberId);
        }

        if (removedType is not null)
        {
            await events.MembersChangedAsync(id, cancellationToken);
            await contexts.RoomChangedAsync(id, cancellationToken);
            await audit.WriteAsync(
                context, caller, AuditActions.MemberRemove, memberId, AuditActions.MemberTarget,
                new AuditMetadata().Add("roomId", id).Add("memberType", removedType), cancellationToken);
        }

        return Api.Done();
    }
}
