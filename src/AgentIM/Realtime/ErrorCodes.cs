namespace AgentIM.Realtime;

/// <summary>The contract's <c>server:error</c> codes and texts (websocket.md §12). Stable: clients match on them.</summary>
public static class ErrorCodes
{
    public const string MessageTooLarge = "MESSAGE_TOO_LARGE";
    public const string InvalidJson = "INVALID_JSON";
    public const string JsonTooDeep = "JSON_TOO_DEEP";
    public const string InvalidMessage = "INVALID_MESSAGE";
    public const string NotAuthenticated = "NOT_AUTHENTICATED";
    public const string RateLimited = "RATE_LIMITED";
    public const string RoomNotFound = "ROOM_NOT_FOUND";
    public const string NotAMember = "NOT_A_MEMBER";
    public const string PermissionDenied = "PERMISSION_DENIED";
    public const string InternalError = "INTERNAL_ERROR";
    public const string SessionRevoked = "SESSION_REVOKED";
    public const string ProtocolVersionMismatch = "PROTOCOL_VERSION_MISMATCH";
    public const string ServerShutdown = "SERVER_SHUTDOWN";
    public const string StreamTooLarge = "STREAM_TOO_LARGE";
    public const string ChunkTooLarge = "CHUNK_TOO_LARGE";
    public const string GatewayOffline = "GATEWAY_OFFLINE";
    public const string InvalidRequest = "INVALID_REQUEST";

    // Ours: the database is briefly unreachable and the frame may be sent again (case B23).
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";

    // Ours: the owner already has an agent of that name, regardless of letter case (case B19).
    public const string AgentNameTaken = "AGENT_NAME_TAKEN";

    public const string ProtocolVersion = "1";
}
