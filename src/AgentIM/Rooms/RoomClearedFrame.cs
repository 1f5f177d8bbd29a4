using System.Text.Json.Serialization;

namespace AgentIM.Rooms;

/// <summary><c>server:room_cleared</c> (websocket.md §5): the user cleared the room's history on another tab or device.</summary>
public sealed record RoomClearedFrame(string RoomId, DateTime ClearedAt)
{
    // Stable: the web client switches on this type name.
    [JsonPropertyOrder(-1)] public string Type => "server:room_cleared";
}
