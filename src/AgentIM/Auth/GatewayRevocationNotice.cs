using AgentIM.Realtime;

namespace AgentIM.Auth;

/// <summary>
/// Gateways hear why they are cut off: before a revocation closes a gateway socket, it gets the same
/// <c>server:error {code:"SESSION_REVOKED"}</c> a client socket gets (decisions.md, case B08), where upstream closes
/// gateways without a word. Subscribed before the handler that closes sockets, so the notice is queued ahead of the close.
/// </summary>
public static class GatewayRevocationNotice
{
    public static void NotifyGatewaysOnRevocation(this IServiceProvider services)
    {
        var registry = services.GetRequiredService<ConnectionRegistry>();
        var notice = Frames.Error(ErrorCodes.SessionRevoked, "Session revoked");
        services.GetRequiredService<SessionRevocations>().Revoked += revocation =>
        {
            foreach (var gateway in registry.GatewaysOf(revocation.UserId))
            {
                if (revocation.SessionId is null || gateway.SessionId == revocation.SessionId)
                {
                    gateway.Send(notice);
                }
            }
        };
    }
}
