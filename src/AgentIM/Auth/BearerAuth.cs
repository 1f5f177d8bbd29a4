using AgentIM.Infrastructure.Http;

namespace AgentIM.Auth;

/// <summary>Requires <c>Authorization: Bearer &lt;access token&gt;</c> on a route group and exposes the caller's claims.</summary>
public static class BearerAuth
{
    private static readonly object ClaimsKey = new();

    public static TBuilder RequireBearer<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var header = http.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return Api.Error(401, Api.Unauthorized);
            }

            var check = http.RequestServices.GetRequiredService<Authenticator>().Check(header["Bearer ".Length..].Trim());
            if (check.Claims is null)
            {
                return Api.Error(401, check.Error!);
            }

            http.Items[ClaimsKey] = check.Claims;
            return await next(context);
        });
        return builder;
    }

    /// <summary>The claims put there by <see cref="RequireBearer{TBuilder}"/>.</summary>
    public static AccessClaims Caller(this HttpContext context) =>
        context.Items[ClaimsKey] as AccessClaims ?? throw new InvalidOperationException("Route is missing RequireBearer()");
}
