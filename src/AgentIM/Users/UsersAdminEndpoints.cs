using System.Text.Json;
using AgentIM.Audit;
using AgentIM.Auth;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Http;
using AgentIM.Messages;

namespace AgentIM.Users;

/// <summary>The admin's user management under /api/users (rest-api.md #22, #24, #25); mapped by <see cref="UsersEndpoints"/>.</summary>
public static class UsersAdminEndpoints
{
    public const string CannotDemoteYourself = "Cannot demote yourself";
    public const string CannotDeleteYourself = "Cannot delete yourself";
    public const string CannotDisableYourself = "Cannot disable yourself";
    public const string LastActiveAdmin = "Cannot disable the last active admin";

    public static async Task<IResult> ListAsync(HttpContext context, UserStore users, CancellationToken cancellationToken)
    {
        var paging = QueryPaging.Read(context.Request.Query, 100, 500);
        var (rows, total) = await users.ListAsync(paging.Limit, paging.Offset, cancellationToken);
        var data = rows
            .Select(u => new UserListItem(
                u.Id, u.Username, u.DisplayName, u.AvatarUrl, u.Role, u.MaxWsConnections, u.MaxGateways, u.CreatedAt, u.UpdatedAt,
                u.DisabledAt))
            .ToList();
        return Results.Json(new UserListResponse { Data = data, Total = total }, UsersJson.Default.UserListResponse);
    }

    /// <summary>Changes a user's name, role, limits or password; a new password ends every session of that user.</summary>
    public static async Task<IResult> UpdateAsync(
        string id,
        HttpContext context,
        UserStore users,
        UserAccounts accounts,
        PasswordHasher hasher,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var body = await JsonBody.ReadAsync(context.Request, UsersJson.Default.UpdateUserRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        UsersEndpoints.DisplayName(validation, request.DisplayName);
        validation.OneOf("role", request.Role, "admin", "user");
        if (request.Password is not null)
        {
            validation.Password("password", request.Password);
        }

        var maxWsConnections = Limit(validation, "maxWsConnections", request.MaxWsConnections);
        var maxGateways = Limit(validation, "maxGateways", request.MaxGateways);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        if (id == context.Caller().UserId && request.Role is not null and not "admin")
        {
            return Api.Error(400, CannotDemoteYourself);
        }

        string? displayName = null;
        if (request.DisplayName is not null)
        {
            displayName = ContentSanitizer.SanitizeText(request.DisplayName);
            if (displayName.Length == 0)
            {
                return Api.Validation("displayName", "validation.displayNameWhitespace");
            }
        }

        var hash = request.Password is null ? null : await hasher.HashAsync(request.Password, cancellationToken);
        var update = new UserUpdate(displayName, request.Role, hash, maxWsConnections, maxGateways);
        var user = await users.UpdateAsync(id, update, cancellationToken);
        if (user is null)
        {
            return Api.NotFound(UsersEndpoints.UserNotFound);
        }

        if (hash is not null)
        {
            await accounts.RevokeAllSessionsAsync(id, cancellationToken);
        }

        var changed = new List<string>();
        AddIf(changed, "displayName", displayName is not null);
        AddIf(changed, "role", request.Role is not null);
        AddIf(changed, "password", hash is not null);
        AddIf(changed, "maxWsConnections", maxWsConnections.Present);
        AddIf(changed, "maxGateways", maxGateways.Present);
        await audit.WriteAsync(
            context, context.Caller().UserId, AuditActions.UserUpdate, id, AuditActions.UserTarget,
            new AuditMetadata().Add("fields", changed), cancellationToken);

        var data = new UpdatedUser(
            user.Id, user.Username, user.DisplayName, user.Role, user.MaxWsConnections, user.MaxGateways, user.CreatedAt, user.UpdatedAt);
        return Api.Ok(data, UsersJson.Default.ApiOkUpdatedUser);
    }

    public static async Task<IResult> DeleteAsync(
        string id, HttpContext context, UserAccounts accounts, AuditLog audit, CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        if (id == context.Caller().UserId)
        {
            return Api.Error(400, CannotDeleteYourself);
        }

        if (!await accounts.DeleteAsync(id, cancellationToken))
        {
            return Api.NotFound(UsersEndpoints.UserNotFound);
        }

        await audit.WriteAsync(
            context, context.Caller().UserId, AuditActions.UserDelete, id, AuditActions.UserTarget, null, cancellationToken);
        return Api.Done();
    }

    /// <summary>
    /// <c>POST /api/users/:id/disable</c> (our addition to the contract, the web admin's "disable"): logins are refused
    /// and every session ends, as with <c>agentim user disable</c>; the last active admin and the caller stay enabled.
    /// </summary>
    public static Task<IResult> DisableAsync(
        string id, HttpContext context, UserStore users, HubDatabase database, AuditLog audit, CancellationToken cancellationToken) =>
        SetDisabledAsync(id, disabled: true, context, users, database, audit, cancellationToken);

    /// <summary><c>POST /api/users/:id/enable</c>: the user may sign in again (old sessions stay ended).</summary>
    public static Task<IResult> EnableAsync(
        string id, HttpContext context, UserStore users, HubDatabase database, AuditLog audit, CancellationToken cancellationToken) =>
        SetDisabledAsync(id, disabled: false, context, users, database, audit, cancellationToken);

    private static async Task<IResult> SetDisabledAsync(
        string id,
        bool disabled,
        HttpContext context,
        UserStore users,
        HubDatabase database,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (!Infrastructure.Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        if (disabled && id == context.Caller().UserId)
        {
            return Api.Error(400, CannotDisableYourself);
        }

        var user = await users.FindByIdAsync(id, cancellationToken);
        if (user is null)
        {
            return Api.NotFound(UsersEndpoints.UserNotFound);
        }

        var admin = new UserAdmin(database);
        var outcome = disabled
            ? await admin.DisableAsync(user.Username, cancellationToken)
            : await admin.EnableAsync(user.Username, cancellationToken);
        switch (outcome)
        {
            case UserAdminOutcome.NotFound:
                return Api.NotFound(UsersEndpoints.UserNotFound);
            case UserAdminOutcome.LastAdmin:
                return Api.Error(400, LastActiveAdmin);
        }

        await audit.WriteAsync(
            context, context.Caller().UserId, AuditActions.UserUpdate, id, AuditActions.UserTarget,
            new AuditMetadata().Add("fields", [disabled ? "disabled" : "enabled"]), cancellationToken);
        return Api.Done();
    }

    private static void AddIf(List<string> list, string field, bool condition)
    {
        if (condition)
        {
            list.Add(field);
        }
    }

    /// <summary>A connection limit: absent, null (no limit) or an integer 1–1000.</summary>
    private static LimitChange Limit(Validation validation, string field, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
                return new LimitChange(false, null);
            case JsonValueKind.Null:
                return new LimitChange(true, null);
            case JsonValueKind.Number when value.TryGetInt32(out var number):
                if (number < 1)
                {
                    validation.Add(field, "Number must be greater than or equal to 1");
                }
                else if (number > 1000)
                {
                    validation.Add(field, "Number must be less than or equal to 1000");
                }

                return new LimitChange(true, number);
            case JsonValueKind.Number:
                validation.Add(field, "Expected integer, received float");
                return default;
            default:
                validation.Add(field, "Invalid type");
                return default;
        }
    }
}
