using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AgentIM.Tests.Support;

/// <summary>
/// What the real web client and gateway accept (websocket.md §8, decisions.md): they drop a frame with a null
/// where an optional value belongs, a message object without its required fields, or an error without a code.
/// Every frame a test receives passes through here, so a frame the real clients would drop fails the test.
/// </summary>
public static partial class WireRules
{
    private static readonly string[] MessageRequired =
        ["id", "roomId", "senderId", "senderType", "senderName", "type", "content", "mentions", "createdAt"];

    // The three fields the web schema lets be null (websocket.md §8.2).
    private static readonly string[] NullableRoomFields = ["routerId", "pinnedAt", "archivedAt"];

    public static void AssertAcceptable(JsonObject frame)
    {
        var type = frame["type"]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(type), $"frame without a type: {frame}");
        AssertNoNulls(frame, "", type!);
        AssertTimestamps(frame);
        switch (type)
        {
            case "server:new_message":
            case "server:message_complete":
            case "server:message_edited":
                AssertMessage(frame["message"]!.AsObject());
                break;
            case "server:error":
                Assert.False(string.IsNullOrEmpty(frame["code"]?.GetValue<string>()), $"error without code: {frame}");
                Assert.NotNull(frame["message"]?.GetValue<string>());
                break;
            case "server:message_chunk":
                foreach (var key in new[] { "roomId", "agentId", "agentName", "messageId" })
                {
                    Assert.NotNull(frame[key]?.GetValue<string>());
                }

                Assert.Contains(
                    frame["chunk"]!["type"]!.GetValue<string>(),
                    new[] { "text", "thinking", "tool_use", "tool_result", "error", "workspace_status" });
                Assert.NotNull(frame["chunk"]!["content"]?.GetValue<string>());
                break;
            case "server:send_to_agent":
                foreach (var key in new[] { "agentId", "roomId", "messageId", "content", "senderName", "conversationId" })
                {
                    Assert.NotNull(frame[key]?.GetValue<string>());
                }

                Assert.Contains(frame["senderType"]!.GetValue<string>(), new[] { "user", "agent", "system" });
                Assert.Contains(frame["routingMode"]!.GetValue<string>(), new[] { "broadcast", "direct" });
                Assert.True(frame["depth"]!.GetValue<int>() >= 0);
                break;
            case "server:auth_result":
            case "server:gateway_auth_result":
                Assert.NotNull(frame["ok"]?.GetValue<bool>());
                break;
            case "server:agent_status":
                foreach (var key in new[] { "id", "name", "type", "status" })
                {
                    Assert.NotNull(frame["agent"]![key]?.GetValue<string>());
                }

                break;
        }
    }

    public static void AssertMessage(JsonObject message)
    {
        foreach (var key in MessageRequired)
        {
            Assert.True(message.ContainsKey(key) && message[key] is not null, $"message without {key}: {message}");
        }

        Assert.Contains(message["senderType"]!.GetValue<string>(), new[] { "user", "agent", "system" });
        Assert.Contains(message["type"]!.GetValue<string>(), new[] { "text", "system", "agent_response", "terminal" });
        Assert.IsType<JsonArray>(message["mentions"]);
    }

    /// <summary>Every timestamp looks like JavaScript's toISOString: UTC, three fractional digits, Z (case B20).</summary>
    public static bool IsWireTimestamp(string value) =>
        IsoTimestamp().IsMatch(value)
        && DateTime.TryParseExact(
            value, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out _);

    private static void AssertNoNulls(JsonNode node, string path, string type)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (value is null)
                    {
                        Assert.True(type == "server:room_update" && NullableRoomFields.Contains(key), $"null at {path}.{key} in {type}");
                        continue;
                    }

                    AssertNoNulls(value, $"{path}.{key}", type);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Assert.True(array[i] is not null, $"null at {path}[{i}] in {type}");
                    AssertNoNulls(array[i]!, $"{path}[{i}]", type);
                }

                break;
        }
    }

    private static void AssertTimestamps(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (value is JsonValue v && key.EndsWith("At", StringComparison.Ordinal) && v.TryGetValue<string>(out var text))
                    {
                        Assert.True(IsWireTimestamp(text), $"timestamp {key} = {text} is not ISO-8601 UTC with milliseconds");
                    }
                    else if (value is not null)
                    {
                        AssertTimestamps(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        AssertTimestamps(item);
                    }
                }

                break;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex IsoTimestamp();
}
