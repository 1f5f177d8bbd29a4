namespace AgentIM.Docs;

/// <summary>
/// Hand-written one-liners for the contract's routes (rest-api.md), keyed by method and path with parameter names
/// blanked, so a route gets its summary whatever its parameter is called. A route missing here is still listed,
/// with its method and path as summary.
/// </summary>
public static class RouteSummaries
{
    private static readonly Dictionary<string, string> Table = new(StringComparer.Ordinal)
    {
        ["GET /api/health"] = "Health of the database, Redis and upload storage",
        ["GET /api/metrics"] = "Prometheus metrics",
        ["GET /api/admin/metrics"] = "Metrics as JSON (admin)",
        ["GET /api/docs/openapi.json"] = "This document",
        ["POST /api/auth/login"] = "Log in with username and password",
        ["POST /api/auth/refresh"] = "Exchange a refresh token for new tokens",
        ["POST /api/auth/logout"] = "Log out this session",
        ["POST /api/auth/verify-totp"] = "Finish a login with a TOTP or backup code",
        ["POST /api/auth/setup-totp"] = "Start two-factor setup",
        ["POST /api/auth/verify-totp-setup"] = "Confirm two-factor setup",
        ["POST /api/auth/disable-totp"] = "Turn two-factor off",
        ["GET /api/auth/oauth/providers"] = "Configured OAuth providers",
        ["GET /api/auth/oauth/{}"] = "Start an OAuth sign-in",
        ["GET /api/auth/oauth/{}/callback"] = "OAuth provider callback",
        ["GET /api/users"] = "List users (admin)",
        ["POST /api/users"] = "Create a user (admin)",
        ["GET /api/users/me"] = "The caller's profile",
        ["PUT /api/users/me"] = "Update the caller's profile",
        ["GET /api/users/me/oauth-accounts"] = "OAuth sign-ins linked to the caller",
        ["PUT /api/users/me/password"] = "Change the caller's password",
        ["GET /api/users/search"] = "Search users",
        ["GET /api/users/{}"] = "One user",
        ["PUT /api/users/{}"] = "Update a user (admin)",
        ["DELETE /api/users/{}"] = "Delete a user (admin)",
        ["POST /api/users/{}/disable"] = "Disable a user and end their sessions (admin)",
        ["POST /api/users/{}/enable"] = "Enable a disabled user (admin)",
        ["GET /api/rooms"] = "The caller's rooms",
        ["POST /api/rooms"] = "Create a room",
        ["GET /api/rooms/{}"] = "One room with its members",
        ["PUT /api/rooms/{}"] = "Update a room",
        ["DELETE /api/rooms/{}"] = "Delete a room",
        ["POST /api/rooms/{}/members"] = "Add a member to a room",
        ["GET /api/rooms/{}/members"] = "A page of a room's members",
        ["DELETE /api/rooms/{}/members/{}"] = "Remove a member from a room",
        ["PUT /api/rooms/{}/members/{}"] = "Change a member's role",
        ["PUT /api/rooms/{}/read"] = "Mark a room read",
        ["PUT /api/rooms/{}/pin"] = "Pin or unpin a room",
        ["PUT /api/rooms/{}/archive"] = "Archive or unarchive a room",
        ["PUT /api/rooms/{}/notification-pref"] = "Set the caller's notification preference",
        ["PUT /api/rooms/{}/clear"] = "Clear the caller's history of a room",
        ["GET /api/messages/rooms/{}"] = "Room history, newest first",
        ["GET /api/messages/search"] = "Search messages",
        ["GET /api/messages/recent"] = "Latest message and unread count per room",
        ["POST /api/messages/rooms/{}/read"] = "Mark one room read",
        ["GET /api/messages/{}/replies/count"] = "Number of replies to a message",
        ["GET /api/messages/{}/thread"] = "Replies to a message",
        ["GET /api/messages/{}/history"] = "Edit history of a message",
        ["PUT /api/messages/{}"] = "Edit a message",
        ["DELETE /api/messages/{}"] = "Delete a message",
        ["POST /api/messages/{}/reactions"] = "Toggle a reaction",
        ["POST /api/messages/{}/forward"] = "Forward a message to another room",
        ["POST /api/messages/batch-delete"] = "Delete several messages",
        ["POST /api/messages/mark-all-read"] = "Mark every room read",
        ["GET /api/agents"] = "The caller's agents",
        ["GET /api/agents/shared"] = "Agents other users share",
        ["GET /api/agents/{}"] = "One agent",
        ["PUT /api/agents/{}"] = "Update an agent's name or visibility",
        ["DELETE /api/agents/{}"] = "Delete an agent",
        ["POST /api/agents/spawn"] = "Ask a gateway to start an agent",
        ["GET /api/agents/gateways/list"] = "The caller's gateways",
        ["DELETE /api/agents/gateways/{}"] = "Delete a gateway and its agents",
        ["GET /api/tasks"] = "Tasks in the caller's rooms",
        ["GET /api/tasks/rooms/{}"] = "Tasks of a room",
        ["POST /api/tasks/rooms/{}"] = "Create a task",
        ["PUT /api/tasks/{}"] = "Update a task",
        ["DELETE /api/tasks/{}"] = "Delete a task",
        ["POST /api/upload"] = "Upload a file",
        ["POST /api/upload/avatar"] = "Upload the caller's avatar",
        ["GET /api/routers"] = "Routers the caller can see (keys masked)",
        ["POST /api/routers"] = "Create a router",
        ["GET /api/routers/{}"] = "One router",
        ["PUT /api/routers/{}"] = "Update a router",
        ["DELETE /api/routers/{}"] = "Delete a router",
        ["POST /api/routers/{}/test"] = "Send a test prompt to a router's LLM",
        ["GET /api/service-agents/providers"] = "Service-agent provider types (admin)",
        ["GET /api/service-agents"] = "Service agents (admin)",
        ["GET /api/service-agents/{}"] = "One service agent (admin)",
        ["POST /api/service-agents"] = "Create a service agent (admin)",
        ["PUT /api/service-agents/{}"] = "Update a service agent (admin)",
        ["DELETE /api/service-agents/{}"] = "Delete a service agent (admin)",
        ["POST /api/service-agents/{}/validate"] = "Check a service agent's provider (admin)",
        ["GET /api/admin/settings"] = "Runtime settings by group (admin)",
        ["PUT /api/admin/settings"] = "Change runtime settings (admin)",
        ["GET /api/bookmarks"] = "The caller's bookmarks",
        ["POST /api/bookmarks"] = "Bookmark a message",
        ["DELETE /api/bookmarks/{}"] = "Remove a bookmark",
        ["GET /api/push/vapid-key"] = "Web Push public key",
        ["POST /api/push/subscribe"] = "Subscribe to Web Push",
        ["POST /api/push/unsubscribe"] = "Unsubscribe from Web Push",
        ["GET /uploads/{}"] = "Download an uploaded file",
        ["GET /ws/client"] = "WebSocket for web and app clients",
        ["GET /ws/gateway"] = "WebSocket for agent gateways",
    };

    public static bool TryGet(string method, string path, out string summary) =>
        Table.TryGetValue($"{method} {BlankParameters(path)}", out summary!);

    public static string BlankParameters(string path)
    {
        var builder = new System.Text.StringBuilder(path.Length);
        var inside = false;
        foreach (var c in path)
        {
            if (c == '{')
            {
                inside = true;
                builder.Append("{}");
            }
            else if (c == '}')
            {
                inside = false;
            }
            else if (!inside)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
