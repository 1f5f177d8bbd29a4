using System.Text.Json;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Realtime;

public sealed partial class GatewaySocketHandler
{
    // Tools of the hub's own MCP server act only inside rooms the agent is in; they never need a human's approval.
    private const string HubToolPrefix = "mcp__agentim__";
    private const int MaxToolInputChars = 1_000_000;
    private const int MaxToolInputKeys = 100;
    private static readonly string[] ForbiddenToolInputKeys = ["__proto__", "constructor", "prototype"];

    /// <summary>A tool approval the gateway asks for: answered at once, refused, or put to the room (behaviour.md §2).</summary>
    private void HandlePermissionRequest(GatewayConnection connection, GatewayPermissionRequestFrame? frame)
    {
        if (frame is not { RequestId.Length: >= 1 and <= 100, RoomId.Length: >= 1 and <= 100, ToolName.Length: >= 1 and <= 200 }
            || frame.AgentId is null || !connection.Agents.TryGetValue(frame.AgentId, out var agent)
            || frame.TimeoutMs is not (>= 1000 and <= 300_000) || !IsValidToolInput(frame.ToolInput))
        {
            Drop(connection, "gateway:permission_request");
            return;
        }

        if (frame.ToolName!.StartsWith(HubToolPrefix, StringComparison.Ordinal))
        {
            SendPermissionAnswer(connection, frame.RequestId!, agent.Id, "allow");
            return;
        }

        var timeout = TimeSpan.FromMilliseconds(Math.Min(frame.TimeoutMs.Value, config.PermissionTimeoutCap.TotalMilliseconds));
        var expiresAt = DateTime.UtcNow + timeout;
        if (!permissions.TryAdd(frame.RequestId!, agent.Id, frame.RoomId!, timeout))
        {
            SendPermissionAnswer(connection, frame.RequestId!, agent.Id, "deny");
            return;
        }

        var request = new PermissionRequestFrame(
            frame.RequestId!, agent.Id, agent.Name, frame.RoomId!, frame.ToolName, frame.ToolInput!, expiresAt);
        registry.SendToRoom(frame.RoomId!, Frames.Serialize(request, WireJson.Default.PermissionRequestFrame));
    }

    private static void SendPermissionAnswer(GatewayConnection connection, string requestId, string agentId, string decision) =>
        connection.Send(Frames.Serialize(
            new PermissionResponseFrame(requestId, agentId, decision, null), WireJson.Default.PermissionResponseFrame));

    /// <summary>
    /// The web client re-checks tool input with these rules and drops the whole request if they fail (websocket.md §8.4).
    /// </summary>
    private static bool IsValidToolInput(RawJson? input)
    {
        if (input is null || input.Json.Length > MaxToolInputChars)
        {
            return false;
        }

        using var document = JsonDocument.Parse(input.Json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var keys = 0;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (++keys > MaxToolInputKeys || property.Name.Length > 200 || ForbiddenToolInputKeys.Contains(property.Name))
            {
                return false;
            }
        }

        return true;
    }
}
