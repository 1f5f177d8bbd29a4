using AgentIM.Auth;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;
using AgentIM.Messages;

namespace AgentIM.Users;

public sealed record CreateUserRequest(string? Username, string? Password, string? DisplayName, string? Role);

public sealed record MeResponse(
    string Id, string Username, string DisplayName, string? AvatarUrl, string Role, bool TotpEnabled, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record CreatedUser(string Id, string Username, string DisplayName, string Role, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>/api/users (rest-api.md §4): the caller's profile and the admin's user creation.</summary>
public static class UsersEndpoints
{
    public const string UsernameTaken = "Username already taken";
    public const string UserNotFound = "User not found";

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").RequireBearer();
        group.MapGet("/me", GetMeAsync);
        group.MapPost("/", CreateAsync).RequireAdmin();
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

        var me = new MeResponse(user.Id, user.Username, user.DisplayName, user.AvatarUrl, user.Role, user.TotpEnabled, user.CreatedAt, user.UpdatedAt);
        return Api.Ok(me, ApiJson.Default.ApiOkMeResponse);
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context, UserStore users, PasswordHasher hasher, CancellationToken cancellationToken)
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
        if (validation.OptionalString("displayName", request.DisplayName, 1, 100))
        {
            validation.NotBlank("displayName", request.DisplayName, "validation.displayNameWhitespace");
        }

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

        var data = new CreatedUser(created.Id, created.Username, created.DisplayName, created.Role, created.CreatedAt, created.UpdatedAt);
        return Api.Ok(data, ApiJson.Default.ApiOkCreatedUser);
    }
}

/// <summary>The contract's username rule: 3–50 characters of [a-zA-Z0-9_-] (so look-alike letters from other scripts are refused).</summary>
public static class UsernameRule
{
    public static bool IsValid(string username) =>
        username.Length is >= 3 and <= 50 && username.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
