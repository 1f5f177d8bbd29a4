using AgentIM.Auth;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Http;

namespace AgentIM.Realtime;

/// <summary>The two WebSocket endpoints. Auth is in-band (the first frame), not in the upgrade request.</summary>
public static class RealtimeEndpoints
{
    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        var shutdown = app.ServiceProvider.GetRequiredService<RealtimeShutdown>();
        app.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(shutdown.Begin);
        app.Map("/ws/client", (HttpContext context, ClientSocketHandler handler) =>
            AcceptAsync(context, shutdown, socket => handler.RunAsync(socket, shutdown.Stopping)));
        app.Map("/ws/gateway", (HttpContext context, GatewaySocketHandler handler) =>
            AcceptAsync(context, shutdown, socket => handler.RunAsync(socket, shutdown.Stopping)));
        return app;
    }

    /// <summary>
    /// Closes sockets the moment their session is revoked (decisions.md, case B08): one made here closes them on every
    /// node; one made elsewhere, heard through NOTIFY or Redis, closes this node's only.
    /// </summary>
    public static void CloseSocketsOnRevocation(this IServiceProvider services)
    {
        var registry = services.GetRequiredService<ConnectionRegistry>();
        var notice = Frames.Error(ErrorCodes.SessionRevoked, "Session revoked");
        services.GetRequiredService<SessionRevocations>().Revoked += revocation =>
        {
            if (revocation.Remote)
            {
                registry.CloseSessionsLocal(revocation.UserId, revocation.SessionId, notice);
            }
            else
            {
                registry.CloseSessions(revocation.UserId, revocation.SessionId, notice);
            }
        };
    }

    private static async Task<IResult> AcceptAsync(
        HttpContext context, RealtimeShutdown shutdown, Func<System.Net.WebSockets.WebSocket, Task> run)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Api.Error(400, "Expected a WebSocket upgrade");
        }

        if (shutdown.IsStopping)
        {
            return Api.Error(503, "Server is shutting down");
        }

        var config = context.RequestServices.GetRequiredService<HubConfig>();
        // The hub pings every WsPingInterval; a peer that does not answer within the rest of the idle window is
        // dropped, so a dead connection is reaped about WsIdleTimeout after its last sign of life (seed, case B25).
        // The built-in keep-alive timeout aborts the connection rather than sending a close frame (it cannot choose a
        // close code); case B25 accepts a plain abort, and the handler's cleanup runs the same way either way.
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = config.WsPingInterval,
            KeepAliveTimeout = config.WsIdleTimeout - config.WsPingInterval,
        });
        await run(socket);
        return Results.Empty;
    }
}
