namespace AgentIM.Tests.Http;

/// <summary>
/// The contract's routes under <c>/api</c> that this hub must serve (rest-api.md): its 86 less the 19 optional
/// extras (OAuth 5, TOTP 4, service agents 7, Web Push 3) = 67. Paths use our parameter names; comparisons blank
/// them, so <c>{id}</c> and <c>{roomId}</c> in the same place are the same route.
/// </summary>
public static class ContractRoutes
{
    public static readonly IReadOnlyList<string> All =
    [
        // §1 health, metrics, docs (#1–3, #79)
        "GET /api/health",
        "GET /api/metrics",
        "GET /api/admin/metrics",
        "GET /api/docs/openapi.json",

        // §2 auth without TOTP (#5–7)
        "POST /api/auth/login",
        "POST /api/auth/refresh",
        "POST /api/auth/logout",

        // §4 users (#17–25)
        "GET /api/users/me",
        "PUT /api/users/me",
        "GET /api/users/me/oauth-accounts",
        "PUT /api/users/me/password",
        "GET /api/users/search",
        "GET /api/users",
        "POST /api/users",
        "PUT /api/users/{id}",
        "DELETE /api/users/{id}",

        // §5 rooms (#26–37)
        "GET /api/rooms",
        "POST /api/rooms",
        "GET /api/rooms/{id}",
        "PUT /api/rooms/{id}",
        "DELETE /api/rooms/{id}",
        "POST /api/rooms/{id}/members",
        "DELETE /api/rooms/{id}/members/{memberId}",
        "PUT /api/rooms/{id}/pin",
        "PUT /api/rooms/{id}/archive",
        "PUT /api/rooms/{id}/clear",
        "PUT /api/rooms/{id}/notification-pref",
        "GET /api/rooms/{id}/members",

        // §6 messages (#38–50)
        "GET /api/messages/recent",
        "POST /api/messages/mark-all-read",
        "POST /api/messages/rooms/{roomId}/read",
        "GET /api/messages/search",
        "GET /api/messages/rooms/{roomId}",
        "POST /api/messages/{id}/reactions",
        "GET /api/messages/{id}/history",
        "PUT /api/messages/{id}",
        "DELETE /api/messages/{id}",
        "POST /api/messages/batch-delete",
        "GET /api/messages/{id}/thread",
        "GET /api/messages/{id}/replies/count",
        "POST /api/messages/{id}/forward",

        // §7 agents and gateways (#51–58)
        "GET /api/agents",
        "GET /api/agents/shared",
        "PUT /api/agents/{id}",
        "GET /api/agents/{id}",
        "DELETE /api/agents/{id}",
        "POST /api/agents/spawn",
        "GET /api/agents/gateways/list",
        "DELETE /api/agents/gateways/{gatewayId}",

        // §8 tasks (#59–63)
        "GET /api/tasks",
        "GET /api/tasks/rooms/{roomId}",
        "POST /api/tasks/rooms/{roomId}",
        "PUT /api/tasks/{id}",
        "DELETE /api/tasks/{id}",

        // §9 uploads (#64–65)
        "POST /api/upload",
        "POST /api/upload/avatar",

        // §10 routers (#66–71)
        "GET /api/routers",
        "POST /api/routers",
        "GET /api/routers/{id}",
        "PUT /api/routers/{id}",
        "DELETE /api/routers/{id}",
        "POST /api/routers/{id}/test",

        // §12 admin settings (#80–81)
        "GET /api/admin/settings",
        "PUT /api/admin/settings",

        // §13 bookmarks (#82–84)
        "GET /api/bookmarks",
        "POST /api/bookmarks",
        "DELETE /api/bookmarks/{id}",
    ];

    /// <summary>"GET /api/rooms/{id}/" and "get /api/rooms/{roomId}" are the same key: "GET /api/rooms/{}".</summary>
    public static string Key(string method, string path)
    {
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        return $"{method.ToUpperInvariant()} {AgentIM.Docs.RouteSummaries.BlankParameters("/" + trimmed.TrimStart('/'))}";
    }

    public static string Key(string route)
    {
        var space = route.IndexOf(' ');
        return Key(route[..space], route[(space + 1)..]);
    }
}
