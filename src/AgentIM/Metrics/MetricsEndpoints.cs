using AgentIM.Auth;
using AgentIM.Realtime;
using AgentIM.Redis;
using AgentIM.Settings;

namespace AgentIM.Metrics;

/// <summary><c>GET /api/metrics</c>: Prometheus text with the seed's metric names (capacity-planning.md, Monitoring).</summary>
public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/metrics", ScrapeAsync);
        return app;
    }

    /// <summary>Auth follows the runtime setting <c>metrics.authEnabled</c>, so switching it needs no restart.</summary>
    private static async Task<IResult> ScrapeAsync(
        HttpContext context,
        RuntimeSettings settings,
        Authenticator authenticator,
        HubMetrics metrics,
        HttpMetrics http,
        ConnectionRegistry registry,
        RedisConnection redis,
        CancellationToken cancellationToken)
    {
        if ((await settings.GetAsync(cancellationToken)).MetricsAuth)
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return Results.Text("Unauthorized", statusCode: 401);
            }

            var check = authenticator.Check(header["Bearer ".Length..].Trim());
            if (check.Claims is null)
            {
                return Results.Text(check.Error == Authenticator.Revoked ? "Token has been revoked" : check.Error, statusCode: 401);
            }
        }

        var text = new PrometheusText()
            .Single("agentim_ws_client_connections", "gauge", "Authenticated WebSocket client connections on this node",
                registry.ClientCount)
            .Single("agentim_ws_gateway_connections", "gauge", "Authenticated gateway connections on this node", registry.GatewayCount)
            .Single("agentim_online_users", "gauge", "Users with at least one client connection on this node", registry.OnlineUserCount)
            .Single("agentim_connected_agents", "gauge", "Agents bound to a gateway connection on this node", registry.AgentCount)
            .Single("agentim_active_rooms", "gauge", "Rooms with at least one joined client connection", registry.ActiveRoomCount)
            // A gauge, as Prometheus' own process metrics are: a counter's name must end in _total (promtool lint).
            .Single("process_uptime_seconds", "gauge", "Seconds since the hub started",
                Math.Round((DateTime.UtcNow - metrics.StartedAt).TotalSeconds))
            .Single("process_heap_bytes", "gauge", "Managed heap in use, in bytes", ProcessStats.HeapBytes())
            .Single("process_rss_bytes", "gauge", "Resident set size, in bytes", ProcessStats.ResidentBytes())
            .Family("agentim_messages_total", "counter", "Messages stored, by origin")
            .Sample("agentim_messages_total", metrics.UserMessages, ("type", "user"))
            .Sample("agentim_messages_total", metrics.AgentMessages, ("type", "agent"))
            .Family("agentim_ws_messages_total", "counter", "WebSocket frames, by direction (in: parsed as JSON)")
            .Sample("agentim_ws_messages_total", metrics.WsMessagesIn, ("direction", "in"))
            .Single("agentim_api_errors_total", "counter", "API responses with a server error status", metrics.ApiErrors)
            .Single("agentim_gateway_frames_dropped_total", "counter", "Gateway frames dropped as invalid or not allowed",
                metrics.DroppedGatewayFrames)
            .Single("agentim_uploads_total", "counter", "Files and avatars stored", metrics.Uploads)
            .Single("agentim_upload_bytes_total", "counter", "Bytes of files and avatars stored", metrics.UploadBytes)
            .Single("agentim_uploads_refused_total", "counter", "Uploads refused (type, content, size, full disk)", metrics.UploadsRefused)
            .Single("agentim_downloads_total", "counter", "Files served from /uploads", metrics.Downloads)
            .Single("agentim_download_bytes_total", "counter", "Bytes of files served from /uploads (whole files)", metrics.DownloadBytes)
            .Single("agentim_ws_dead_peers_total", "counter", "WebSockets that ended without a close handshake (silent, reset or cut off)",
                metrics.WsDeadPeers)
            .Single("agentim_redis_up", "gauge", "1 while Redis is reachable, 0 while the hub runs on local state, -1 without REDIS_URL",
                redis.IsConfigured ? (redis.IsAvailable ? 1 : 0) : -1)
            .Single("agentim_redis_fallbacks_total", "counter", "Redis operations replaced by this node's local state", redis.Fallbacks)
            .Family("agentim_agent_response_duration_seconds", "histogram",
                "Time from routing a message to an agent to its completed reply")
            .Histogram("agentim_agent_response_duration_seconds", metrics.AgentResponseDuration)
            .Family("agentim_http_request_duration_seconds", "histogram", "HTTP request duration by method and route");
        foreach (var ((method, path), histogram) in http.Routes
            .OrderBy(r => r.Key.Path, StringComparer.Ordinal).ThenBy(r => r.Key.Method, StringComparer.Ordinal))
        {
            text.Histogram("agentim_http_request_duration_seconds", histogram, ("method", method), ("path", path));
        }

        return Results.Text(text.ToString(), PrometheusText.ContentType);
    }
}
