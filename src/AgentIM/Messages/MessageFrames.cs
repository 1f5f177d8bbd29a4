using System.Text.Json.Serialization;

namespace AgentIM.Messages;

// Frames the REST message routes send to rooms (websocket.md §5). The "type" strings are the protocol: stable,
// never renamed. Serialized with nulls omitted (websocket.md §8.2).

public sealed record MessageEditedFrame(MessageDto Message)
{
    [JsonPropertyOrder(-1)] public string Type => "server:message_edited";
}

public sealed record MessageDeletedFrame(string RoomId, string MessageId)
{
    [JsonPropertyOrder(-1)] public string Type => "server:message_deleted";
}

public sealed record ReactionUpdateFrame(string RoomId, string MessageId, IReadOnlyList<ReactionDto> Reactions)
{
    [JsonPropertyOrder(-1)] public string Type => "server:reaction_update";
}

public sealed record ReadReceiptFrame(string RoomId, string UserId, string Username, DateTime LastReadAt)
{
    [JsonPropertyOrder(-1)] public string Type => "server:read_receipt";
}
