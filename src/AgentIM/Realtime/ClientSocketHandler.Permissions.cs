namespace AgentIM.Realtime;

public sealed partial class ClientSocketHandler
{
    private static readonly string[] PermissionDecisions = ["allow", "allowAlways", "deny"];

    private static bool IsValidPermissionResponse(ClientPermissionResponseFrame? frame) =>
        frame is { RequestId.Length: >= 1 and <= 100 } && PermissionDecisions.Contains(frame.Decision)
        && frame.DenyReason is null or { Length: <= 500 };

    /// <summary>
    /// The first valid answer from a socket joined to the request's room, by a current member of it, goes to the
    /// agent's gateway; anything else is ignored without a reply, as upstream does (behaviour.md §2.3).
    /// </summary>
    private async Task HandlePermissionResponseAsync(ClientConnection connection, ClientPermissionResponseFrame frame)
    {
        if (await permissions.FindAsync(frame.RequestId!) is not { } pending || !connection.HasJoined(pending.RoomId))
        {
            return;
        }

        var (_, role) = await rooms.GetUserRoleAsync(pending.RoomId, connection.UserId!, connection.Closed);
        if (role is null || !await permissions.TryTakeAsync(pending))
        {
            return;
        }

        var answer = new PermissionResponseFrame(pending.RequestId, pending.AgentId, frame.Decision!, frame.DenyReason);
        registry.SendToAgent(pending.AgentId, Frames.Serialize(answer, WireJson.Default.PermissionResponseFrame));
    }
}
