using AgentIM.Infrastructure;

namespace AgentIM.Realtime;

public sealed partial class ClientSocketHandler
{
    private static readonly string[] CredentialModes = ["api", "subscription"];
    private static readonly string[] CredentialActions = ["rename", "delete", "set_default"];

    /// <summary>
    /// Credential and OAuth requests for a gateway. Upstream lets anyone drive anyone's gateway (behaviour.md §15.2);
    /// we reach only gateways of the caller, and someone else's gateway looks offline, as one that does not exist.
    /// </summary>
    private void HandleGatewayRelay(ClientConnection connection, string type, ClientGatewayRelayFrame frame)
    {
        if (type == "client:add_gateway_credential" && (frame.Mode ?? "api") == "api" && frame.ApiKey is null)
        {
            SendError(connection, ErrorCodes.InvalidRequest, "API key is required for API mode credentials");
            return;
        }

        var gateway = registry.GatewaysOf(connection.UserId!).FirstOrDefault(g => g.GatewayId == frame.GatewayId);
        var requestId = type == "client:complete_gateway_oauth" ? frame.RequestId! : Ids.New();
        var relay = type switch
        {
            "client:list_gateway_credentials" => new GatewayRelayFrame
            {
                Type = "server:list_credentials", RequestId = requestId, AgentType = frame.AgentType,
            },
            "client:add_gateway_credential" => new GatewayRelayFrame
            {
                Type = "server:add_credential", RequestId = requestId, AgentType = frame.AgentType, Name = frame.Name,
                Mode = frame.Mode ?? "api", ApiKey = frame.ApiKey, BaseUrl = frame.BaseUrl, Model = frame.Model,
            },
            "client:manage_gateway_credential" => new GatewayRelayFrame
            {
                Type = "server:manage_credential", RequestId = requestId, AgentType = frame.AgentType,
                CredentialId = frame.CredentialId, Action = frame.Action, Name = frame.Name,
            },
            "client:start_gateway_oauth" => new GatewayRelayFrame
            {
                Type = "server:start_oauth", RequestId = requestId, AgentType = frame.AgentType, CredentialName = frame.CredentialName,
            },
            _ => new GatewayRelayFrame { Type = "server:complete_oauth", RequestId = requestId, CallbackUrl = frame.CallbackUrl },
        };

        if (gateway is not null && gateway.Send(Frames.Serialize(relay, WireJson.Default.GatewayRelayFrame)))
        {
            return;
        }

        if (type == "client:start_gateway_oauth")
        {
            var failed = new OwnerRelayFrame
            {
                Type = "server:gateway_oauth_result", GatewayId = frame.GatewayId!, RequestId = requestId, Success = false,
                Error = "Gateway is offline",
            };
            connection.Send(Frames.Serialize(failed, WireJson.Default.OwnerRelayFrame));
            return;
        }

        SendError(connection, ErrorCodes.GatewayOffline, "Gateway is offline");
    }

    private static bool IsValidGatewayRelay(string type, ClientGatewayRelayFrame? f) =>
        f is { GatewayId.Length: >= 1 and <= 200 } && type switch
        {
            "client:list_gateway_credentials" => IsAgentType(f.AgentType),
            "client:add_gateway_credential" => IsAgentType(f.AgentType) && f.Name is { Length: >= 1 and <= 100 }
                && (f.Mode is null || CredentialModes.Contains(f.Mode)) && f.ApiKey is null or { Length: >= 1 and <= 2000 }
                && f.BaseUrl is null or { Length: <= 500 } && f.Model is null or { Length: <= 200 },
            "client:manage_gateway_credential" => IsAgentType(f.AgentType) && f.CredentialId is { Length: >= 1 and <= 50 }
                && CredentialActions.Contains(f.Action) && f.Name is null or { Length: >= 1 and <= 100 },
            "client:start_gateway_oauth" => IsAgentType(f.AgentType) && f.CredentialName is { Length: >= 1 and <= 100 },
            _ => IsId(f.RequestId) && f.CallbackUrl is { Length: >= 1 and <= 4096 },
        };

    private static bool IsAgentType(string? agentType) => agentType is { Length: >= 1 and <= 50 };
}
