using System.Text.Json;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Realtime;

public sealed partial class GatewaySocketHandler
{
    private const int MaxTerminalData = 1_000_000;
    private const int MaxTaskResult = 100_000;

    private static readonly string[] TaskStatuses = ["pending", "in_progress", "completed", "failed", "cancelled"];
    private static readonly string[] WorkspaceResponseKinds = ["status", "tree", "file", "error"];

    private async Task HandleTerminalDataAsync(GatewayConnection connection, GatewayTerminalDataFrame? frame)
    {
        if (frame?.AgentId is null || !connection.Agents.TryGetValue(frame.AgentId, out var agent)
            || frame.Data is not { Length: <= MaxTerminalData })
        {
            Drop(connection, "gateway:terminal_data");
            return;
        }

        foreach (var roomId in await agents.ListRoomsOfAgentAsync(agent.Id, connection.Closed))
        {
            var data = new TerminalDataFrame(agent.Id, agent.Name, roomId, frame.Data);
            registry.SendToRoom(roomId, Frames.Serialize(data, WireJson.Default.TerminalDataFrame));
        }
    }

    /// <summary>
    /// A task's status from an agent working on it. Accepted only when one of this gateway's agents is in the task's
    /// room. The result goes into <c>result</c>; upstream writes it over the description (behaviour.md §15.15).
    /// </summary>
    private async Task HandleTaskUpdateAsync(GatewayConnection connection, GatewayTaskUpdateFrame? frame)
    {
        if (frame is not { TaskId.Length: >= 1 and <= 100 } || !TaskStatuses.Contains(frame.Status)
            || frame.Result is { Length: > MaxTaskResult })
        {
            Drop(connection, "gateway:task_update");
            return;
        }

        if (await tasks.GetWithRoleAsync(frame.TaskId!, connection.UserId!, connection.Closed) is not { } access)
        {
            Drop(connection, "gateway:task_update (unknown task)");
            return;
        }

        var task = access.Task;
        var allowed = false;
        foreach (var agentId in connection.Agents.Keys)
        {
            if (await agentsCache.CheckAsync(task.RoomId, agentId, connection.Closed) == Rooms.AgentMembership.Member)
            {
                allowed = true;
                break;
            }
        }

        if (!allowed)
        {
            Drop(connection, "gateway:task_update (no agent in the task's room)");
            return;
        }

        var updated = task with { Status = frame.Status!, Result = frame.Result ?? task.Result, UpdatedAt = Clock.UtcNow() };
        if (await tasks.UpdateAsync(updated, connection.Closed))
        {
            registry.SendToRoom(task.RoomId, Frames.Serialize(new TaskUpdateFrame(updated), WireJson.Default.TaskUpdateFrame));
        }
    }

    private void HandleAgentCommandResult(GatewayConnection connection, GatewayAgentCommandResultFrame? frame)
    {
        if (frame is not { RoomId.Length: >= 1, Command.Length: >= 1 and <= 100, Success: not null }
            || frame.AgentId is null || !connection.Agents.ContainsKey(frame.AgentId) || frame.Message is { Length: > 10_000 })
        {
            Drop(connection, "gateway:agent_command_result");
            return;
        }

        var result = new AgentCommandResultFrame(frame.AgentId, frame.RoomId!, frame.Command!, frame.Success.Value, frame.Message);
        registry.SendToRoom(frame.RoomId!, Frames.Serialize(result, WireJson.Default.AgentCommandResultFrame));
    }

    /// <summary>The agent's row overlaid with the gateway's live values; to the given room, else to all of the agent's rooms.</summary>
    private async Task HandleAgentInfoAsync(GatewayConnection connection, GatewayAgentInfoFrame? frame)
    {
        if (frame?.AgentId is null || !connection.Agents.ContainsKey(frame.AgentId) || !IsArray(frame.SlashCommands)
            || !IsArray(frame.McpServers) || frame.SessionCostUsd < 0
            || frame.PermissionLevel is not (null or "interactive" or "bypass"))
        {
            Drop(connection, "gateway:agent_info");
            return;
        }

        if (await agents.GetAsync(frame.AgentId, connection.Closed) is not { } row)
        {
            return;
        }

        var info = new AgentInfoDto
        {
            Id = row.Id,
            Name = row.Name,
            Type = row.Type,
            Status = row.Status,
            GatewayId = row.GatewayId,
            SlashCommands = frame.SlashCommands,
            McpServers = frame.McpServers,
            Model = frame.Model ?? row.Model,
            ThinkingMode = frame.ThinkingMode,
            EffortLevel = frame.EffortLevel,
            SessionCostUsd = frame.SessionCostUsd,
            AvailableModels = frame.AvailableModels,
            AvailableModelInfo = frame.AvailableModelInfo,
            AvailableEffortLevels = frame.AvailableEffortLevels,
            AvailableThinkingModes = frame.AvailableThinkingModes,
            PlanMode = frame.PlanMode,
            PermissionLevel = frame.PermissionLevel,
        };
        var bytes = Frames.Serialize(new AgentInfoFrame(info), WireJson.Default.AgentInfoFrame);
        var rooms = frame.RoomId is { } roomId ? [roomId] : await agents.ListRoomsOfAgentAsync(row.Id, connection.Closed);
        foreach (var room in rooms)
        {
            registry.SendToRoom(room, bytes);
        }
    }

    /// <summary>Matched to the hub-minted request id, once; only the requester's sockets joined to the room see it.</summary>
    private void HandleWorkspaceResponse(GatewayConnection connection, GatewayWorkspaceResponseFrame? frame)
    {
        if (frame is not { RequestId.Length: >= 1 } || frame.AgentId is null || !connection.Agents.ContainsKey(frame.AgentId)
            || !IsWorkspaceResponse(frame.Response))
        {
            Drop(connection, "gateway:workspace_response");
            return;
        }

        if (workspaces.Take(frame.RequestId!) is not { } pending || pending.AgentId != frame.AgentId)
        {
            Drop(connection, "gateway:workspace_response (unknown request)");
            return;
        }

        var bytes = Frames.Serialize(
            new WorkspaceResponseFrame(frame.AgentId, frame.RequestId!, frame.Response!), WireJson.Default.WorkspaceResponseFrame);
        foreach (var client in registry.ClientsOf(pending.UserId))
        {
            if (client.HasJoined(pending.RoomId))
            {
                client.Send(bytes);
            }
        }
    }

    /// <summary>Spawn, credential and OAuth answers go to the gateway owner's sockets, with the gateway's id added.</summary>
    private void HandleOwnerReply(GatewayConnection connection, string type, GatewayOwnerReplyFrame? frame)
    {
        var relayType = type switch
        {
            "gateway:spawn_result" => "server:spawn_result",
            "gateway:credential_list" => "server:gateway_credential_list",
            "gateway:credential_result" => "server:gateway_credential_result",
            "gateway:oauth_url" => "server:gateway_oauth_url",
            _ => "server:gateway_oauth_result",
        };
        var valid = relayType switch
        {
            "server:gateway_credential_list" => frame is { AgentType.Length: >= 1 } && IsArray(frame.Credentials),
            "server:gateway_oauth_url" => frame is { RequestId.Length: >= 1, AuthUrl.Length: >= 1 and <= 4096 },
            _ => frame is { RequestId.Length: >= 1, Success: not null },
        };
        if (!valid)
        {
            Drop(connection, type);
            return;
        }

        var relay = new OwnerRelayFrame
        {
            Type = relayType,
            GatewayId = connection.GatewayId!,
            // The credential list carries no request id on the wire (websocket.md §5).
            RequestId = relayType == "server:gateway_credential_list" ? null : frame!.RequestId,
            AgentType = relayType == "server:gateway_credential_list" ? frame!.AgentType : null,
            Success = frame!.Success,
            AgentId = frame.AgentId,
            Error = frame.Error,
            AuthUrl = frame.AuthUrl,
            Credentials = frame.Credentials,
            Credential = frame.Credential,
        };
        registry.SendToUser(connection.UserId!, Frames.Serialize(relay, WireJson.Default.OwnerRelayFrame));
    }

    private static bool IsArray(RawJson? json) => json is not null && json.Json.TrimStart().StartsWith('[');

    private static bool IsWorkspaceResponse(RawJson? response)
    {
        if (response is null)
        {
            return false;
        }

        using var document = JsonDocument.Parse(response.Json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String
            && WorkspaceResponseKinds.Contains(kind.GetString());
    }
}
