using System.Text.Json;
using AgentIM.Audit;
using AgentIM.Auth;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Crypto;
using AgentIM.Infrastructure.Http;
using AgentIM.Infrastructure.Json;
using AgentIM.Users;

namespace AgentIM.Routers;

/// <summary>
/// /api/routers (rest-api.md §10): saved OpenAI-compatible LLM configurations for broadcast routing. A router the
/// caller may not see answers 404; one they see but do not own answers 403 on change. Keys are stored encrypted
/// and shown masked.
/// </summary>
public static class RoutersEndpoints
{
    public const string RouterNotFound = "Router not found";
    public const string GlobalNeedsAdmin = "Admin access required to create global routers";
    public const string UnsafeBaseUrl = "LLM base URL must not point to internal or private networks";
    public const string UpdateForbidden = "Only the router owner or admin can update";
    public const string DeleteForbidden = "Only the router owner or admin can delete";
    public const string NameTaken = "A router with this name already exists";
    public const string ConfigurationError = "Router configuration error";

    public static IServiceCollection AddRouters(this IServiceCollection services)
    {
        services.AddSingleton<RouterStore>();
        services.AddSingleton<IHostResolver, DnsHostResolver>();
        services.AddSingleton(provider => new SsrfGuard(provider.GetRequiredService<IHostResolver>()));
        services.AddSingleton<RouterTester>();
        services.AddSingleton<RouterAccess>();
        return services;
    }

    public static IEndpointRouteBuilder MapRouters(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/routers").RequireBearer();
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
        group.MapPost("/{id}/test", TestAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, RouterStore routers, UserStore users, SecretBox secretBox, CancellationToken cancellationToken)
    {
        var caller = context.Caller().UserId;
        var admin = await IsAdminAsync(users, caller, cancellationToken);
        var rows = await routers.ListAsync(admin ? null : caller, cancellationToken);
        return Api.Ok(rows.Select(r => ToDto(r, secretBox)).ToList(), RoutersJson.Default.ApiOkListRouterDto);
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context,
        RouterStore routers,
        UserStore users,
        SecretBox secretBox,
        SsrfGuard guard,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(context.Request, RoutersJson.Default.RouterRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        RouterRules.ValidateCreate(validation, request);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var caller = context.Caller().UserId;
        var scope = request.Scope ?? RouterScopes.Personal;
        if (scope == RouterScopes.Global && !await IsAdminAsync(users, caller, cancellationToken))
        {
            return Api.Forbidden(GlobalNeedsAdmin);
        }

        if (!await guard.IsAllowedAsync(request.LlmBaseUrl!, cancellationToken))
        {
            return Api.Error(400, UnsafeBaseUrl);
        }

        var now = Clock.UtcNow();
        var row = new RouterRow(
            Ids.New(),
            request.Name!,
            request.Description.ValueKind == JsonValueKind.String ? request.Description.GetString() : null,
            scope,
            caller,
            request.LlmBaseUrl!,
            secretBox.Encrypt(request.LlmApiKey!),
            request.LlmModel!,
            request.MaxChainDepth ?? 5,
            request.RateLimitWindow ?? 60,
            request.RateLimitMax ?? 20,
            request.Visibility ?? "all",
            request.VisibilityList?.Select(v => v!).ToList() ?? [],
            now,
            now);
        var created = await routers.InsertAsync(row, cancellationToken);
        if (created is null)
        {
            return Api.Error(409, NameTaken);
        }

        await audit.WriteAsync(
            context, caller, AuditActions.RouterCreate, created.Id, AuditActions.RouterTarget,
            new AuditMetadata().Add("name", created.Name).Add("scope", created.Scope), cancellationToken);
        return Api.Ok(ToDto(created, secretBox), RoutersJson.Default.ApiOkRouterDto, StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(
        string id, HttpContext context, RouterStore routers, UserStore users, SecretBox secretBox, CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var (row, _) = await FindVisibleAsync(id, context, routers, users, cancellationToken);
        return row is null ? Api.NotFound(RouterNotFound) : Api.Ok(ToDto(row, secretBox), RoutersJson.Default.ApiOkRouterDto);
    }

    private static async Task<IResult> UpdateAsync(
        string id,
        HttpContext context,
        RouterStore routers,
        UserStore users,
        SecretBox secretBox,
        SsrfGuard guard,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var body = await JsonBody.ReadAsync(context.Request, RoutersJson.Default.RouterRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        RouterRules.ValidateUpdate(validation, request);
        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        var (row, admin) = await FindVisibleAsync(id, context, routers, users, cancellationToken);
        if (row is null)
        {
            return Api.NotFound(RouterNotFound);
        }

        if (!admin && row.CreatedById != context.Caller().UserId)
        {
            return Api.Forbidden(UpdateForbidden);
        }

        var changed = RouterRules.Apply(row, request, secretBox, Clock.UtcNow());
        if (changed.Visibility != "all" && changed.VisibilityList.Count == 0)
        {
            return Api.Validation("visibilityList", "validation.visibilityListRequired");
        }

        if (request.LlmBaseUrl is not null && !await guard.IsAllowedAsync(request.LlmBaseUrl, cancellationToken))
        {
            return Api.Error(400, UnsafeBaseUrl);
        }

        var updated = await routers.UpdateAsync(changed, cancellationToken);
        if (updated is null)
        {
            // Either the name collides, or the router vanished meanwhile.
            return await routers.FindAsync(id, cancellationToken) is null ? Api.NotFound(RouterNotFound) : Api.Error(409, NameTaken);
        }

        await audit.WriteAsync(
            context, context.Caller().UserId, AuditActions.RouterUpdate, id, AuditActions.RouterTarget, null, cancellationToken);
        return Api.Ok(ToDto(updated, secretBox), RoutersJson.Default.ApiOkRouterDto);
    }

    private static async Task<IResult> DeleteAsync(
        string id, HttpContext context, RouterStore routers, UserStore users, AuditLog audit, CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var (row, admin) = await FindVisibleAsync(id, context, routers, users, cancellationToken);
        if (row is null)
        {
            return Api.NotFound(RouterNotFound);
        }

        if (!admin && row.CreatedById != context.Caller().UserId)
        {
            return Api.Forbidden(DeleteForbidden);
        }

        if (!await routers.DeleteAsync(id, cancellationToken))
        {
            return Api.NotFound(RouterNotFound);
        }

        await audit.WriteAsync(
            context, context.Caller().UserId, AuditActions.RouterDelete, id, AuditActions.RouterTarget, null, cancellationToken);
        return Api.Done();
    }

    private static async Task<IResult> TestAsync(
        string id,
        HttpContext context,
        RouterStore routers,
        UserStore users,
        SecretBox secretBox,
        SsrfGuard guard,
        RouterTester tester,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var (row, _) = await FindVisibleAsync(id, context, routers, users, cancellationToken);
        if (row is null)
        {
            return Api.NotFound(RouterNotFound);
        }

        if (!secretBox.TryDecrypt(row.StoredApiKey, out var apiKey))
        {
            return Api.Error(500, ConfigurationError);
        }

        // Checked again on use: the URL passed when it was saved, but the table may have been edited since.
        if (!await guard.IsAllowedAsync(row.LlmBaseUrl, cancellationToken))
        {
            return Api.Error(400, UnsafeBaseUrl);
        }

        var outcome = await tester.ProbeAsync(row.LlmBaseUrl, apiKey, row.LlmModel, cancellationToken);
        return outcome.Success
            ? Api.Ok(new RouterTestResult(true), RoutersJson.Default.ApiOkRouterTestResult)
            : Results.Json(new ApiError { Error = outcome.Error! }, ApiJson.Default.ApiError, statusCode: StatusCodes.Status200OK);
    }

    /// <summary>The router if the caller may see it (admins see all), and whether the caller is an admin.</summary>
    private static async Task<(RouterRow? Row, bool Admin)> FindVisibleAsync(
        string id, HttpContext context, RouterStore routers, UserStore users, CancellationToken cancellationToken)
    {
        var caller = context.Caller().UserId;
        var row = await routers.FindAsync(id, cancellationToken);
        if (row is null)
        {
            return (null, false);
        }

        var admin = await IsAdminAsync(users, caller, cancellationToken);
        return admin || row.IsVisibleTo(caller) ? (row, admin) : (null, admin);
    }

    private static async Task<bool> IsAdminAsync(UserStore users, string userId, CancellationToken cancellationToken) =>
        await users.FindByIdAsync(userId, cancellationToken) is { IsAdmin: true, DisabledAt: null };

    private static RouterDto ToDto(RouterRow row, SecretBox secretBox) => new(
        row.Id,
        row.Name,
        row.Description,
        row.Scope,
        row.CreatedById,
        row.LlmBaseUrl,
        RouterRules.MaskKey(row.StoredApiKey, secretBox),
        row.LlmModel,
        row.MaxChainDepth,
        row.RateLimitWindow,
        row.RateLimitMax,
        row.Visibility,
        row.VisibilityList,
        row.CreatedAt,
        row.UpdatedAt);
}
