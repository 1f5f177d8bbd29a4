using System.Text.RegularExpressions;
using AgentIM.Audit;
using AgentIM.Auth;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;
using AgentIM.Messages;

namespace AgentIM.Users;

public sealed record CreateUserRequest(string? Username, string? Password, string? DisplayName, string? Role);

public sealed record MeResponse(
    string Id, string Username, string DisplayName, string? AvatarUrl, string Role, bool TotpEnabled,
    DateTime CreatedAt, DateTime UpdatedAt);

public sealed record CreatedUser(string Id, string Username, string DisplayName, string Role, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>/api/users (rest-api.md §4): the caller's profile and the admin's user creation.</summary>
public static partial class UsersEndpoints
{
    public const string UsernameTaken = "Username already taken";
    public const string UserNotFound = "User not found";
    public const string NoPasswordSet = "No password set for this account";
    public const string WrongCurrentPassword = "Current password is incorrect";

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").RequireBearer();
        group.MapGet("/me", GetMeAsync);
        group.MapPut("/me", UpdateMeAsync);
        group.MapGet("/me/oauth-accounts", ListOAuthAccountsAsync);
        group.MapPut("/me/password", ChangePasswordAsync);
        group.MapGet("/search", SearchAsync);
        group.MapGet("/", UsersAdminEndpoints.ListAsync).RequireAdmin();
        group.MapPost("/", CreateAsync).RequireAdmin();
        group.MapPut("/{id}", UsersAdminEndpoints.UpdateAsync).RequireAdmin();
        group.MapDelete("/{id}", UsersAdminEndpoints.DeleteAsync).RequireAdmin();
        group.MapPost("/{id}/disable", UsersAdminEndpoints.DisableAsync).RequireAdmin();
        group.MapPost("/{id}/enable", UsersAdminEndpoints.EnableAsync).RequireAdmin();
        return app;
    }

    /// <summary>Requires the caller's stored role to be admin (checked against the database, not the token).</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var user = await http.RequestServices.GetRequiredService<UserStore>().FindByIdAsync(http.Caller().UserId, http.RequestAborted);
            if (user is not { IsAdmin: true, DisabledAt: null })
            {
                return Api.Forbidden(Api.AdminRequired);
            }

            return await next(context);
        });
        return builder;
    }

    private static async Task<IResult> GetMeAsync(HttpContext context, UserStore users, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(context.Caller().UserId, cancellationToken);
        if (user is null)
        {
            return Api.NotFound(UserNotFound);
        }

        return Api.Ok(ToMe(user), ApiJson.Default.ApiOkMeResponse);
    }

    private static async Task<IResult> UpdateMeAsync(HttpContext context, UserStore users, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(context.Request, UsersJson.Default.UpdateMeRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        DisplayName(validation, request.DisplayName);
        AvatarUrl(validation, request.AvatarUrl);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
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

        var user = await users.UpdateProfileAsync(context.Caller().UserId, displayName, request.AvatarUrl, cancellationToken);
        return user is null ? Api.NotFound(UserNotFound) : Api.Ok(ToMe(user), ApiJson.Default.ApiOkMeResponse);
    }

    /// <summary>
    /// Changes the caller's password and ends every session of theirs, this one included: refresh tokens, access
    /// tokens and every client and gateway socket (decisions.md, case B08).
    /// </summary>
    private static async Task<IResult> ChangePasswordAsync(
        HttpContext context, UserAccounts accounts, AuditLog audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(context.Request, UsersJson.Default.ChangePasswordRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        validation.RequiredString("currentPassword", request.CurrentPassword, 1, 1024);
        validation.Password("newPassword", request.NewPassword);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var caller = context.Caller().UserId;
        var outcome = await accounts.ChangeOwnPasswordAsync(caller, request.CurrentPassword!, request.NewPassword!, cancellationToken);
        if (outcome == PasswordChange.Changed)
        {
            await audit.WriteAsync(context, caller, AuditActions.PasswordChange, caller, AuditActions.UserTarget, null, cancellationToken);
        }

        return outcome switch
        {
            PasswordChange.Changed => Api.Done(),
            PasswordChange.NoPassword => Api.Error(400, NoPasswordSet),
            PasswordChange.WrongPassword => Api.Error(400, WrongCurrentPassword),
            _ => Api.NotFound(UserNotFound),
        };
    }

    /// <summary>The OAuth sign-ins linked to the caller (rest-api.md #19); tokens never leave the table.</summary>
    private static async Task<IResult> ListOAuthAccountsAsync(HttpContext context, UserStore users, CancellationToken cancellationToken)
    {
        var accounts = await users.ListOAuthAccountsAsync(context.Caller().UserId, cancellationToken);
        return Api.Ok(accounts, UsersJson.Default.ApiOkListOAuthAccount);
    }

    private static async Task<IResult> SearchAsync(HttpContext context, UserStore users, CancellationToken cancellationToken)
    {
        var query = context.Request.Query["q"].ToString().Trim();
        var found = query.Length < 2
            ? []
            : await users.SearchAsync(context.Caller().UserId, query, cancellationToken);
        return Api.Ok(found, UsersJson.Default.ApiOkListUserSearchResult);
    }

    /// <summary>The contract's displayName rule: 1–100 characters, not only whitespace.</summary>
    internal static void DisplayName(Validation validation, string? displayName)
    {
        if (validation.OptionalString("displayName", displayName, 1, 100))
        {
            validation.NotBlank("displayName", displayName, "validation.displayNameWhitespace");
        }
    }

    /// <summary>An avatar must be one of our uploads: <c>/uploads/</c> and a plain file name, never a path that climbs.</summary>
    private static void AvatarUrl(Validation validation, string? avatarUrl)
    {
        if (!validation.OptionalString("avatarUrl", avatarUrl, 0, 500) || avatarUrl is null)
        {
            return;
        }

        if (avatarUrl.Contains("..", StringComparison.Ordinal))
        {
            validation.Add("avatarUrl", "validation.avatarUrlTraversal");
        }
        else if (!AvatarPattern().IsMatch(avatarUrl))
        {
            validation.Add("avatarUrl", "validation.avatarUrlInvalid");
        }
    }

    private static MeResponse ToMe(UserRow user) =>
        new(user.Id, user.Username, user.DisplayName, user.AvatarUrl, user.Role, user.TotpEnabled, user.CreatedAt, user.UpdatedAt);

    [GeneratedRegex("^/uploads/[a-zA-Z0-9_][a-zA-Z0-9_.-]*$")]
    private static partial Regex AvatarPattern();

    private static async Task<IResult> CreateAsync(
        HttpContext context, UserStore users, PasswordHasher hasher, AuditLog audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(context.Request, ApiJson.Default.CreateUserRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        if (validation.RequiredString("username", request.Username, 3, 50) && !UsernameRule.IsValid(request.Username!))
        {
            validation.Add("username", "Invalid");
        }

        validation.Password("password", request.Password);
        DisplayName(validation, request.DisplayName);

        validation.OneOf("role", request.Role, "admin", "user");
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var displayName = request.DisplayName is null ? request.Username! : ContentSanitizer.SanitizeText(request.DisplayName);
        if (displayName.Length == 0)
        {
            return Api.Validation("displayName", "validation.displayNameWhitespace");
        }

        var hash = await hasher.HashAsync(request.Password!, cancellationToken);
        var created = await users.InsertAsync(request.Username!, hash, displayName, request.Role ?? "user", cancellationToken);
        if (created is null)
        {
            return Api.Error(409, UsernameTaken);
        }

        await audit.WriteAsync(
            context, context.Caller().UserId, AuditActions.UserCreate, created.Id, AuditActions.UserTarget,
            new AuditMetadata().Add("username", created.Username).Add("role", created.Role), cancellationToken);
        var data = new CreatedUser(created.Id, created.Username, created.DisplayName, created.Role, created.CreatedAt, created.UpdatedAt);
        return Api.Ok(data, ApiJson.Default.ApiOkCreatedUser);
    }
}

/// <summary>
/// The contract's username rule: 3–50 characters of [a-zA-Z0-9_-] (so look-alike letters from other scripts are refused).
/// </summary>
public static class UsernameRule
{
    public static bool IsValid(string username) =>
        username.Length is >= 3 and <= 50 && username.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
