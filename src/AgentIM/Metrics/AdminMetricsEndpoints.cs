using AgentIM.Auth;
using AgentIM.Infrastructure.Http;
using AgentIM.Realtime;
using AgentIM.Redis;
using AgentIM.Users;

namespace AgentIM.Metrics;

/// <summary>
/// <c>GET /api/admin/metrics</c> (rest-api.md #3): the numbers of <c>/api/metrics</c> as JSON for the admin UI.
/// The admin check reads the stored role on every request. The 401 texts are the contract's for this route
/// ("Token has been revoked", not the bearer filter's "Token revoked"), and a non-admin gets 403 "Forbidden".
/// </summary>
public static class AdminMetricsEndpoints
{
    public const string Path = "/api/admin/metrics";

    public static IEndpointRouteBuilder MapAdminMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, GetAsync);
        return app;
    }

    private static async Task<IResult> GetAsync(
        HttpContext context,
        Authenticator authenticator,
        UserStore users,
        HubMetrics metrics,
        HttpMetrics http,
        ConnectionRegistry registry,
        RedisConnection redis,
        CancellationToken cancellationToken)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Api.Error(401, Api.Unauthorized);
        }

        var check = authenticator.Check(header["Bearer ".Length..].Trim());
        if (check.Claims is null)
        {
            return Api.Error(401, check.Error == Authenticator.Revoked ? "Token has been revoked" : check.Error!);
        }

        if (await users.FindByIdAsync(check.Claims.UserId, cancellationToken) is not { IsAdmin: true, DisabledAt: null })
        {
            return Api.Forbidden("Forbidden");
        }

        var counters = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["agentim_messages_total{type=\"user\"}"] = metrics.UserMessages,
            ["agentim_messages_total{type=\"agent\"}"] = metrics.AgentMessages,
            ["agentim_ws_messages_total{direction=\"in\"}"] = metrics.WsMessagesIn,
            ["agentim_api_errors_total"] = metrics.ApiErrors,
            ["agentim_gateway_frames_dropped_total"] = metrics.DroppedGatewayFrames,
        };
        var routes = new Dictionary<string, HistogramSnapshot>(StringComparer.Ordinal);
        foreach (var ((method, path), histogram) in http.Routes)
        {
            routes[$"method=\"{PrometheusText.EscapeLabel(method)}\",path=\"{PrometheusText.EscapeLabel(path)}\""] =
                HistogramSnapshot.Of(histogram);
        }

        var data = new AdminMetrics(
            new AdminConnections(registry.ClientCount, registry.GatewayCount, registry.OnlineUserCount, registry.AgentCount),
            new AdminProcess(
                Math.Round((DateTime.UtcNow - metrics.StartedAt).TotalSeconds), ProcessStats.HeapBytes(), ProcessStats.ResidentBytes()),
            new AdminInfrastructure(RedisEnabled: redis.IsConfigured),
            new AdminActivity(counters, registry.ActiveRoomCount),
            new AdminPerformance(HistogramSnapshot.Of(metrics.AgentResponseDuration), routes),
            DateTime.UtcNow);
        return Api.Ok(data, AdminMetricsJson.Default.ApiOkAdminMetrics);
    }
}
