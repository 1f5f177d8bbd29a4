using AgentIM.Audit;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;
using AgentIM.Settings;

namespace AgentIM.Auth;

public sealed record LoginRequest(string? Username, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record AuthUser(string Id, string Username, string DisplayName, string? AvatarUrl, string Role, bool TotpEnabled);

public sealed record LoginResponse(AuthUser User, string AccessToken, string RefreshToken);

public sealed record RefreshResponse(string AccessToken, [property: System.Text.Json.Serialization.JsonIgnore(
    Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken);

/// <summary>/api/auth: login, refresh, logout (rest-api.md §2).</summary>
public static class AuthEndpoints
{
    // Stable: the web client and the contract use this cookie name and path.
    public const string RefreshCookie = "agentim_rt";
    private const string RefreshCookiePath = "/api/auth";

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth");
        group.MapPost("/login", LoginAsync);
        group.MapPost("/refresh", RefreshAsync);
        group.MapPost("/logout", LogoutAsync).RequireBearer();
        return app;
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context, AuthService auth, AuditLog audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(context.Request, ApiJson.Default.LoginRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        validation.RequiredString("username", request.Username, 1, 200);
        validation.RequiredString("password", request.Password, 1, 1024);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var outcome = await auth.LoginAsync(request.Username!, request.Password!, cancellationToken);
        if (outcome.Tokens is not { } issued)
        {
            await audit.WriteAsync(
                context, outcome.UserId, AuditActions.LoginFailed, outcome.UserId, AuditActions.UserTarget, outcome.Details,
                cancellationToken);
            return Api.Error(401, AuthService.InvalidCredentials);
        }

        await audit.WriteAsync(
            context, issued.User.Id, AuditActions.Login, issued.User.Id, AuditActions.UserTarget, null, cancellationToken);
        SetRefreshCookie(context, issued.RefreshToken, issued.RefreshLifetime);
        var user = issued.User;
        return Api.Ok(
            new LoginResponse(
                new AuthUser(user.Id, user.Username, user.DisplayName, user.AvatarUrl, user.Role, user.TotpEnabled),
                issued.AccessToken,
                issued.RefreshToken),
            ApiJson.Default.ApiOkLoginResponse);
    }

    /// <summary>
    /// The cookie path answers only the access token (the new refresh token rides in the cookie);
    /// the JSON-body path, which the gateway uses, answers both.
    /// </summary>
    private static async Task<IResult> RefreshAsync(
        HttpContext context, AuthService auth, HubConfig config, RuntimeSettings settings, CancellationToken cancellationToken)
    {
        var fromCookie = context.Request.Cookies[RefreshCookie];
        if (!string.IsNullOrEmpty(fromCookie) && config.IsProduction
            && context.Request.Headers.Origin.ToString() is { Length: > 0 } origin
            && !IsOwnOrigin(context.Request, origin)
            && !(await settings.GetAsync(cancellationToken)).CorsOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            // A browser sends the cookie along from any site; a foreign page must not mint tokens with it (CSRF).
            return Api.Forbidden("Forbidden");
        }

        string? presented = fromCookie;
        if (string.IsNullOrEmpty(presented))
        {
            // A missing or malformed body is not an error here: it simply carries no token.
            var body = await JsonBody.ReadAsync(context.Request, ApiJson.Default.RefreshRequest, cancellationToken);
            presented = body.Value?.RefreshToken;
        }

        if (string.IsNullOrEmpty(presented) || presented.Length > 2000)
        {
            return Api.Error(401, "Refresh token required");
        }

        var (issued, failure) = await auth.RefreshAsync(presented, cancellationToken);
        if (issued is null)
        {
            ClearRefreshCookie(context);
            return Api.Error(401, failure switch
            {
                RefreshFailure.Expired => "Invalid or expired refresh token",
                RefreshFailure.UserNotFound => "User not found",
                _ => "Refresh token revoked or invalid",
            });
        }

        SetRefreshCookie(context, issued.RefreshToken, issued.RefreshLifetime);
        var response = new RefreshResponse(issued.AccessToken, string.IsNullOrEmpty(fromCookie) ? issued.RefreshToken : null);
        return Api.Ok(response, ApiJson.Default.ApiOkRefreshResponse);
    }

    /// <summary>
    /// The hub's own pages (the embedded web app) refresh from the hub's own origin, which no CORS setting lists.
    /// Host and port are compared, not the scheme: behind a TLS proxy the request reaches us as plain http.
    /// </summary>
    private static bool IsOwnOrigin(HttpRequest request, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && request.Host.HasValue
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    private static async Task<IResult> LogoutAsync(
        HttpContext context, AuthService auth, AuditLog audit, CancellationToken cancellationToken)
    {
        var token = context.Request.Cookies[RefreshCookie];
        if (string.IsNullOrEmpty(token))
        {
            var body = await JsonBody.ReadAsync(context.Request, ApiJson.Default.RefreshRequest, cancellationToken);
            token = body.Value?.RefreshToken;
        }

        var caller = context.Caller();
        await auth.LogoutAsync(caller, string.IsNullOrEmpty(token) ? null : token, cancellationToken);
        await audit.WriteAsync(
            context, caller.UserId, AuditActions.Logout, caller.UserId, AuditActions.UserTarget, null, cancellationToken);
        ClearRefreshCookie(context);
        return Api.Done();
    }

    private static void SetRefreshCookie(HttpContext context, string token, TimeSpan lifetime) =>
        context.Response.Cookies.Append(RefreshCookie, token, CookieOptions(context, lifetime));

    private static void ClearRefreshCookie(HttpContext context) =>
        context.Response.Cookies.Append(RefreshCookie, "", CookieOptions(context, TimeSpan.Zero));

    private static CookieOptions CookieOptions(HttpContext context, TimeSpan maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = RefreshCookiePath,
        MaxAge = maxAge,
        Secure = context.RequestServices.GetRequiredService<HubConfig>().IsProduction,
    };
}
