namespace AgentIM.Gateway;

/// <summary>Where the hub link stands; shown by <c>agentim status</c>. Stable names (they are written to status.json).</summary>
public enum LinkState
{
    Connecting,
    Connected,
    Authenticated,
    Disconnected,
    Revoked,
    Stopped,
}
