using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace AgentIM.Gateway;

/// <summary>One piece of an agent's reply (websocket.md §9): text, thinking, tool_use, tool_result, error, workspace_status.</summary>
public sealed record AgentChunk(string Type, string Content, JsonObject? Metadata = null)
{
    public const string Text = "text";
    public const string Error = "error";
    public const string WorkspaceStatus = "workspace_status";

    public JsonObject ToJson()
    {
        var chunk = new JsonObject { ["type"] = Type, ["content"] = Content };
        if (Metadata is not null)
        {
            chunk["metadata"] = Metadata.DeepClone();
        }

        return chunk;
    }
}

/// <summary>An agent as registered with the hub.</summary>
public sealed record AgentRegistration(string Id, string Name, string Type, string? WorkingDirectory);

/// <summary>
/// The gateway → hub frames (websocket.md §6), built as JSON nodes (no reflection) with absent fields omitted.
/// Type strings and field names are the wire contract and stable.
/// </summary>
public static class GatewayFrames
{
    public const string ProtocolVersion = "1";

    /// <summary>The contract's limits on a completion (gateway-cli.md §8 item 5).</summary>
    public const int MaxFullContent = 200_000;
    public const int MaxChunks = 5_000;
    public const int MaxChunkContent = 1_000_000;

    public static string Auth(string token, string gatewayId, bool ephemeral)
    {
        var frame = new JsonObject
        {
            ["type"] = "gateway:auth",
            ["token"] = token,
            ["gatewayId"] = gatewayId,
            ["protocolVersion"] = ProtocolVersion,
            ["deviceInfo"] = new JsonObject
            {
                ["hostname"] = Environment.MachineName,
                ["platform"] = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : "other",
                ["arch"] = RuntimeInformation.OSArchitecture == Architecture.X64
                    ? "x64"
                    : RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
                // The contract names the gateway's runtime here; ours is .NET, not Node.
                ["nodeVersion"] = "dotnet-" + Environment.Version,
                ["agentimVersion"] = typeof(GatewayFrames).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            },
        };
        if (ephemeral)
        {
            frame["ephemeral"] = true;
        }

        return frame.ToJsonString();
    }

    public static string Register(AgentRegistration agent)
    {
        var body = new JsonObject
        {
            ["id"] = agent.Id,
            ["name"] = agent.Name,
            ["type"] = agent.Type,
            ["capabilities"] = new JsonArray(),
            ["slashCommands"] = new JsonArray(),
            ["mcpServers"] = new JsonArray(),
        };
        if (agent.WorkingDirectory is not null)
        {
            body["workingDirectory"] = agent.WorkingDirectory;
        }

        return new JsonObject { ["type"] = "gateway:register_agent", ["agent"] = body }.ToJsonString();
    }

    public static string Unregister(string agentId) =>
        new JsonObject { ["type"] = "gateway:unregister_agent", ["agentId"] = agentId }.ToJsonString();

    public static string Ping(long ts) => new JsonObject { ["type"] = "gateway:ping", ["ts"] = ts }.ToJsonString();

    public static string Status(string agentId, string status, int queueDepth) => new JsonObject
    {
        ["type"] = "gateway:agent_status",
        ["agentId"] = agentId,
        ["status"] = status,
        ["queueDepth"] = queueDepth,
    }.ToJsonString();

    public static string Chunk(string roomId, string agentId, string messageId, AgentChunk chunk) => new JsonObject
    {
        ["type"] = "gateway:message_chunk",
        ["roomId"] = roomId,
        ["agentId"] = agentId,
        ["messageId"] = messageId,
        ["chunk"] = chunk.ToJson(),
    }.ToJsonString();

    public static string Complete(
        string roomId,
        string agentId,
        string messageId,
        string fullContent,
        IReadOnlyList<AgentChunk> chunks,
        string? conversationId,
        int? depth)
    {
        if (fullContent.Length > MaxFullContent)
        {
            fullContent = fullContent[..(MaxFullContent - 40)] + "\n\n[Reply truncated by the gateway]";
        }

        var list = new JsonArray();
        foreach (var chunk in chunks.Count > MaxChunks ? chunks.Take(MaxChunks) : chunks)
        {
            list.Add((JsonNode)chunk.ToJson());
        }

        var frame = new JsonObject
        {
            ["type"] = "gateway:message_complete",
            ["roomId"] = roomId,
            ["agentId"] = agentId,
            ["messageId"] = messageId,
            ["fullContent"] = fullContent,
            ["chunks"] = list,
        };
        if (conversationId is not null)
        {
            frame["conversationId"] = conversationId;
        }

        if (depth is not null)
        {
            frame["depth"] = depth.Value;
        }

        return frame.ToJsonString();
    }

    public static string SpawnResult(string requestId, bool success, string? agentId, string? error)
    {
        var frame = new JsonObject { ["type"] = "gateway:spawn_result", ["requestId"] = requestId, ["success"] = success };
        if (agentId is not null)
        {
            frame["agentId"] = agentId;
        }

        if (error is not null)
        {
            frame["error"] = error;
        }

        return frame.ToJsonString();
    }

    public static string CommandResult(string agentId, string roomId, string command, bool success, string message) => new JsonObject
    {
        ["type"] = "gateway:agent_command_result",
        ["agentId"] = agentId,
        ["roomId"] = roomId,
        ["command"] = command,
        ["success"] = success,
        ["message"] = message,
    }.ToJsonString();

    public static string AgentInfo(string agentId, string? roomId, string permissionLevel)
    {
        var frame = new JsonObject
        {
            ["type"] = "gateway:agent_info",
            ["agentId"] = agentId,
            ["slashCommands"] = new JsonArray(),
            ["mcpServers"] = new JsonArray(),
            ["permissionLevel"] = permissionLevel,
        };
        if (roomId is not null)
        {
            frame["roomId"] = roomId;
        }

        return frame.ToJsonString();
    }

    public static string PermissionRequest(
        string requestId, string agentId, string roomId, string toolName, JsonObject toolInput, TimeSpan timeout) => new JsonObject
    {
        ["type"] = "gateway:permission_request",
        ["requestId"] = requestId,
        ["agentId"] = agentId,
        ["roomId"] = roomId,
        ["toolName"] = toolName.Length > 200 ? toolName[..200] : toolName,
        ["toolInput"] = toolInput.DeepClone(),
        ["timeoutMs"] = (long)timeout.TotalMilliseconds,
    }.ToJsonString();

    public static string WorkspaceError(string agentId, string requestId, string message) =>
        WorkspaceResponse(agentId, requestId, new JsonObject { ["kind"] = "error", ["message"] = message });

    public static string WorkspaceResponse(string agentId, string requestId, JsonObject response) => new JsonObject
    {
        ["type"] = "gateway:workspace_response",
        ["agentId"] = agentId,
        ["requestId"] = requestId,
        ["response"] = response,
    }.ToJsonString();

    public static string CredentialList(string requestId, string agentType) => new JsonObject
    {
        ["type"] = "gateway:credential_list",
        ["requestId"] = requestId,
        ["agentType"] = agentType,
        ["credentials"] = new JsonArray(),
    }.ToJsonString();

    public static string CredentialResult(string requestId, string error) => new JsonObject
    {
        ["type"] = "gateway:credential_result",
        ["requestId"] = requestId,
        ["success"] = false,
        ["error"] = error,
    }.ToJsonString();
}
