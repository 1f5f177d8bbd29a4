using System.Text.Json;
using AgentIM.Audit;
using AgentIM.Auth;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Http;
using AgentIM.Messages;
using AgentIM.Realtime;
using AgentIM.Routers;
using Npgsql;

namespace AgentIM.Rooms;

/// <summary><c>PUT</c> and <c>DELETE /api/rooms/:id</c> (rest-api.md #29, #30); mapped by <see cref="RoomsEndpoints"/>.</summary>
public static class RoomSettingsEndpoints
{
    public const string OnlyOwnerOrAdminCanUpdate = "Only room owner or admin can update settings";
    public const string OnlyCreatorCanDelete = "Only room creator can delete";

    public static async Task<IResult> UpdateAsync(
        string id,
        HttpContext context,
        RoomStore rooms,
        RoomEvents events,
        RoomContexts contexts,
        RouterAccess routers,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var body = await JsonBody.ReadAsync(context.Request, RoomsJson.Default.UpdateRoomRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        if (validation.OptionalString("name", request.Name, 1, 100))
        {
            validation.NotBlank("name", request.Name, "validation.nameWhitespace");
        }

        var systemPrompt = NullableString(validation, "systemPrompt", request.SystemPrompt, 0, 10_000);
        var routerId = NullableString(validation, "routerId", request.RouterId, 1, 100);
        validation.OneOf("agentCommandRole", request.AgentCommandRole, "member", "admin", "owner");
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var caller = context.Caller().UserId;
        var (exists, role) = await rooms.GetUserRoleAsync(id, caller, cancellationToken);
        if (!exists || role is null)
        {
            return Api.NotFound(RoomsEndpoints.RoomNotFound);
        }

        if (role is not ("owner" or "admin"))
        {
            return Api.Forbidden(OnlyOwnerOrAdminCanUpdate);
        }

        string? name = null;
        if (request.Name is not null)
        {
            name = ContentSanitizer.SanitizeText(request.Name);
            if (name.Length == 0)
            {
                return Api.Validation("name", "validation.nameWhitespace");
            }
        }

        if (routerId.Value is { } router
            && RouterAccess.Refusal(await routers.CheckAsync(router, caller, cancellationToken)) is { } refused)
        {
            return refused;
        }

        var update = new RoomUpdate(name, request.BroadcastMode, systemPrompt, routerId, request.AgentCommandRole);
        RoomDto? room;
        try
        {
            room = await rooms.UpdateAsync(id, update, cancellationToken);
        }
        catch (PostgresException e) when (DbErrors.IsForeignKeyViolation(e))
        {
            // The router was deleted between the check and the update.
            return Api.Error(409, RouterAccess.Gone);
        }

        if (room is null)
        {
            return Api.NotFound(RoomsEndpoints.RoomNotFound);
        }

        await events.RoomUpdatedAsync(id, cancellationToken);
        await contexts.RoomChangedAsync(id, cancellationToken);
        await audit.WriteAsync(context, caller, AuditActions.RoomUpdate, id, AuditActions.RoomTarget, null, cancellationToken);
        return Api.Ok(room, RoomsJson.Default.ApiOkRoomDto);
    }

    /// <summary>Deletes a room with everything in it; only its creator may (case B05 for what the sockets see).</summary>
    public static async Task<IResult> DeleteAsync(
        string id,
        HttpContext context,
        RoomStore rooms,
        RoomEvents events,
        Uploads.UploadStorage uploads,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var caller = context.Caller().UserId;
        var (exists, role) = await rooms.GetUserRoleAsync(id, caller, cancellationToken);
        var room = exists && role is not null ? await rooms.GetAsync(id, cancellationToken) : null;
        if (room is null)
        {
            return Api.NotFound(RoomsEndpoints.RoomNotFound);
        }

        if (room.CreatedById != caller)
        {
            return Api.Forbidden(OnlyCreatorCanDelete);
        }

        var deleted = await rooms.DeleteAsync(id, cancellationToken);
        if (deleted is not { } gone)
        {
            return Api.NotFound(RoomsEndpoints.RoomNotFound);
        }

        events.RoomDeleted(id, gone.UserIds.Append(room.CreatedById));
        uploads.DeleteUrls(gone.FileUrls);
        await audit.WriteAsync(
            context, caller, AuditActions.RoomDelete, id, AuditActions.RoomTarget,
            new AuditMetadata().Add("name", room.Name), cancellationToken);
        return Api.Done();
    }

    /// <summary>A string that may also be sent as <c>null</c> to clear it; absent leaves the column alone.</summary>
    private static ColumnChange NullableString(Validation validation, string field, JsonElement value, int min, int max)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
                return new ColumnChange(false, null);
            case JsonValueKind.Null:
                return new ColumnChange(true, null);
            case JsonValueKind.String:
                var text = value.GetString()!;
                validation.OptionalString(field, text, min, max);
                return new ColumnChange(true, text);
            default:
                validation.Add(field, "Invalid type");
                return default;
        }
    }
}
