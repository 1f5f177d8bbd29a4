using System.Text.Json;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Json;
using AgentIM.Rooms;

namespace AgentIM.Realtime;

public sealed partial class ClientSocketHandler
{
    private static readonly string[] WorkspaceKinds = ["status", "tree", "file"];

    /// <summary>A slash command for an agent of a room the socket joined (websocket.md §4).</summary>
    private async Task HandleAgentCommandAsync(ClientConnection connection, ClientAgentCommandFrame frame)
    {
        if (!connection.HasJoined(frame.RoomId!) || !await IsRoomAgentAsync(connection, frame.RoomId!, frame.AgentId!))
        {
            return;
        }

        var command = new AgentCommandFrame(frame.AgentId!, frame.RoomId!, frame.Command!, frame.Args ?? "", connection.UserId!);
        if (!registry.SendToAgent(frame.AgentId!, Frames.Serialize(command, WireJson.Default.AgentCommandFrame)))
        {
            var offline = new AgentCommandResultFrame(frame.AgentId!, frame.RoomId!, frame.Command!, false, "Agent is offline");
            connection.Send(Frames.Serialize(offline, WireJson.Default.AgentCommandResultFrame));
        }
    }

    /// <summary>
    /// Live details of an agent. Upstream answers for any agent id and leaks its row (behaviour.md §15.4); we answer
    /// only for agents in a room the caller belongs to, and say nothing otherwise, as for an unknown agent.
    /// </summary>
    private async Task HandleQueryAgentInfoAsync(ClientConnection connection, ClientQueryAgentInfoFrame frame)
    {
        if (!await realtimeStore.SharesRoomWithAgentAsync(connection.UserId!, frame.AgentId!, connection.Closed))
        {
            return;
        }

        var query = new QueryAgentInfoFrame(frame.AgentId!, frame.RoomId);
        if (registry.SendToAgent(frame.AgentId!, Frames.Serialize(query, WireJson.Default.QueryAgentInfoFrame)))
        {
            return;
        }

        if (await agentStore.GetAsync(frame.AgentId!, connection.Closed) is { } row)
        {
            var info = new AgentInfoDto
            {
                Id = row.Id,
                Name = row.Name,
                Type = row.Type,
                Status = row.Status,
                GatewayId = row.GatewayId,
                Model = row.Model,
                SlashCommands = row.SlashCommandsJson is null ? null : new RawJson(row.SlashCommandsJson),
                McpServers = row.McpServersJson is null ? null : new RawJson(row.McpServersJson),
            };
            connection.Send(Frames.Serialize(new AgentInfoFrame(info), WireJson.Default.AgentInfoFrame));
        }
    }

    /// <summary>A look at an agent's workspace; the answer reaches only the requester's sockets joined to the room.</summary>
    private async Task HandleRequestWorkspaceAsync(ClientConnection connection, ClientRequestWorkspaceFrame frame)
    {
        if (!connection.HasJoined(frame.RoomId!) || !await IsRoomAgentAsync(connection, frame.RoomId!, frame.AgentId!))
        {
            return;
        }

        var requestId = Ids.New();
        if (!workspaces.TryAdd(requestId, connection.UserId!, frame.RoomId!, frame.AgentId!))
        {
            SendError(connection, ErrorCodes.RateLimited, "Too many pending workspace requests");
            return;
        }

        var request = new RequestWorkspaceFrame(frame.AgentId!, frame.RoomId!, requestId, frame.Request!);
        if (!registry.SendToAgent(frame.AgentId!, Frames.Serialize(request, WireJson.Default.RequestWorkspaceFrame)))
        {
            workspaces.Forget(requestId);
            var offline = new WorkspaceResponseFrame(
                frame.AgentId!, requestId, new RawJson("""{"kind":"error","message":"Agent is offline"}"""));
            connection.Send(Frames.Serialize(offline, WireJson.Default.WorkspaceResponseFrame));
        }
    }

    private async Task<bool> IsRoomAgentAsync(ClientConnection connection, string roomId, string agentId)
    {
        if (await agentsCache.CheckAsync(roomId, agentId, connection.Closed) == AgentMembership.Member)
        {
            return true;
        }

        SendError(connection, ErrorCodes.NotAMember, "Agent is not a member of this room");
        return false;
    }

    private static bool IsValidWorkspaceRequest(RawJson? request)
    {
        if (request is null)
        {
            return false;
        }

        using var document = JsonDocument.Parse(request.Json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String
            || !WorkspaceKinds.Contains(kind.GetString()))
        {
            return false;
        }

        var hasPath = root.TryGetProperty("path", out var path);
        if (hasPath && (path.ValueKind != JsonValueKind.String || path.GetString()!.Length > 4096))
        {
            return false;
        }

        return kind.GetString() != "file" || (hasPath && path.GetString()!.Length >= 1);
    }
}
