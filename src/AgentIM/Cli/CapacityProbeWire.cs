using System.Text.Json.Serialization;

namespace AgentIM.Cli;

// What the probe sends to and reads from the hub, as any client would: the REST bodies of rest-api.md and the client
// frames of websocket.md. Only the fields the probe needs are read back.

internal sealed record ProbeEnvelope<T>(bool Ok, T? Data, string? Error);

internal sealed record ProbeLogin(string Username, string Password);

internal sealed record ProbeLoginData(ProbeIdOnly User, string AccessToken);

internal sealed record ProbeIdOnly(string Id);

internal sealed record ProbeNewUser(string Username, string Password, string DisplayName, string Role);

internal sealed record ProbeUserLimits(int MaxWsConnections);

internal sealed record ProbeNewRoom(string Name, string Type, bool BroadcastMode, IReadOnlyList<string> MemberIds);

internal sealed record ProbeSetting(string Key, string? Value, string? Source);

/// <summary>A null value removes the stored row, so the key falls back to the environment or its default.</summary>
internal sealed record ProbeSettingsChange(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] Dictionary<string, string?> Changes);

internal sealed record ProbeAuthFrame(string Type, string Token, string ProtocolVersion);

internal sealed record ProbeRoomFrame(string Type, string RoomId);

internal sealed record ProbeSendFrame(string Type, string RoomId, string Content);

internal sealed record ProbePingFrame(string Type, long Ts);
