using System.Text.Json.Nodes;

namespace AgentIM.Gateway;

/// <summary>A <c>server:send_to_agent</c> frame (websocket.md §7): every field is required by the contract.</summary>
public sealed record IncomingMessage(
    string AgentId, string RoomId, string MessageId, string Content, string SenderName, string SenderType, string RoutingMode,
    string ConversationId, int Depth)
{
    /// <summary>The message, or null when a field is missing or malformed (the frame is then dropped, as the real gateway does).</summary>
    public static IncomingMessage? From(JsonObject frame)
    {
        var depth = frame["depth"] is JsonValue d && d.TryGetValue<int>(out var value) && value >= 0 ? value : (int?)null;
        if (depth is null)
        {
            return null;
        }

        string? Text(string name) => frame[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return Text("agentId") is { } agentId && Text("roomId") is { } roomId && Text("messageId") is { } messageId
            && Text("content") is { } content && Text("senderName") is { } senderName && Text("senderType") is { } senderType
            && Text("routingMode") is { } routingMode && Text("conversationId") is { } conversationId
            ? new IncomingMessage(agentId, roomId, messageId, content, senderName, senderType, routingMode, conversationId, depth.Value)
            : null;
    }
}
