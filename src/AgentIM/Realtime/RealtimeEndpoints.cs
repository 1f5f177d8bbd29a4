using AgentIM.Auth;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Http;

namespace AgentIM.Realtime;

/// <summary>The two WebSocket endpoints. Auth is in-band (the first frame), not in the upgrade request.</summary>
public static class RealtimeEndpoints
{
    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/client", (HttpContext context, ClientSocketHandler handler, IHostApplicationLifetime lifetime) =>
            AcceptAsync(context, socket => handler.RunAsync(socket, lifetime.ApplicationStopping)));
        app.Map("/ws/gateway", (HttpContext context, GatewaySocketHandler handler, IHostApplicationLifetime lifetime) =>
            AcceptAsync(context, socket => handler.RunAsync(socket, lifetime.ApplicationStopping)));
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

    private static async Task<IResult> AcceptAsync(HttpContext context, Func<System.Net.WebSockets.WebSocket, Task> run)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Api.Error(400, "Expected a WebSocket upgrade");
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
