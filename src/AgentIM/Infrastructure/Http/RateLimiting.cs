using System.Globalization;
using AgentIM.Auth;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Json;
using AgentIM.Settings;

namespace AgentIM.Infrastructure.Http;

/// <summary>
/// The HTTP limiters of behaviour.md §7 as one middleware: every <c>/api/*</c> request counts in <c>api</c>, and
/// the routes with a bucket of their own count there as well. Over a limit the answer is 429
/// <c>{ok:false,error:"Too many requests"}</c> with <c>Retry-After</c>. Per-IP buckets key on
/// <see cref="ClientAddress"/>; per-user buckets on the bearer token's user (a request without a valid token is
/// not counted there, its route answers 401). Limits and the on/off switch are runtime settings.
/// </summary>
public sealed class RateLimiting(
    RequestDelegate next,
    RuntimeSettings settings,
    RateLimitCounters counters,
    HubConfig config,
    Authenticator authenticator)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var buckets = Classify(context.Request.Method, context.Request.Path.Value ?? "/");
        if (buckets.Count == 0)
        {
            await next(context);
            return;
        }

        var snapshot = await settings.GetAsync(context.RequestAborted);
        if (!snapshot.HttpRateLimits)
        {
            await next(context);
            return;
        }

        foreach (var bucket in buckets)
        {
            var identity = bucket.PerUser ? UserIdentity(context) : ClientAddress.Of(context, config.TrustedProxies);
            if (identity is null)
            {
                continue;
            }

            var max = snapshot.HttpLimit(bucket);
            var decision = await counters.HitAsync($"{bucket.Name}:{identity}:{(long)bucket.Window.TotalSeconds}", max, bucket.Window);
            context.Response.Headers["X-RateLimit-Limit"] = max.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
            if (!decision.Allowed)
            {
                var seconds = Math.Max(1, (long)Math.Ceiling(decision.RetryAfter.TotalSeconds));
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await context.Response.WriteAsJsonAsync(
                    new ApiError { Error = Api.TooManyRequests }, ApiJson.Default.ApiError, cancellationToken: context.RequestAborted);
                return;
            }
        }

        await next(context);
    }

    /// <summary>The buckets a request counts in, general before specific. Routing ignores case and a trailing slash, so do we.</summary>
    public static IReadOnlyList<RateLimitBucket> Classify(string method, string rawPath)
    {
        var path = rawPath.ToLowerInvariant().TrimEnd('/');
        if (path is "/ws/client" or "/ws/gateway")
        {
            return [RateLimitBuckets.WsUpgrade];
        }

        if (path != "/api" && !path.StartsWith("/api/", StringComparison.Ordinal))
        {
            return [];
        }

        var specific = (method.ToUpperInvariant(), path) switch
        {
            ("POST", "/api/auth/login" or "/api/auth/verify-totp") => RateLimitBuckets.Auth,
            ("POST", "/api/auth/refresh") => RateLimitBuckets.AuthRefresh,
            ("PUT", "/api/users/me/password") or ("GET", "/api/messages/search") => RateLimitBuckets.Sensitive,
            (_, "/api/upload") => RateLimitBuckets.Upload,
            (_, _) when path.StartsWith("/api/upload/", StringComparison.Ordinal) => RateLimitBuckets.Upload,
            ("POST", "/api/rooms") => RateLimitBuckets.RoomCreate,
            ("POST", _) when IsRouterTest(path) => RateLimitBuckets.RouterTest,
            _ => null,
        };
        return specific is null ? [RateLimitBuckets.Api] : [RateLimitBuckets.Api, specific];
    }

    private static bool IsRouterTest(string path)
    {
        const string Prefix = "/api/routers/";
        return path.StartsWith(Prefix, StringComparison.Ordinal)
            && path.EndsWith("/test", StringComparison.Ordinal)
            && path.Length > Prefix.Length + "/test".Length
            && !path.AsSpan(Prefix.Length, path.Length - Prefix.Length - "/test".Length).Contains('/');
    }

    private string? UserIdentity(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        var claims = authenticator.Check(header["Bearer ".Length..].Trim()).Claims;
        return claims is null ? null : $"u:{claims.UserId}";
    }
}
