using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentIM.Gateway;

/// <summary>Small readers for the JSON the agent CLIs and the hub send: a string field, and a node shown to people.</summary>
internal static class JsonRead
{
    /// <summary>The string value of <paramref name="name"/>, or null when it is missing or not a string.</summary>
    public static string? Text(JsonObject node, string name) => node[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The node as indented JSON (tool inputs and results shown in a room).</summary>
    public static string Pretty(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            node.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
