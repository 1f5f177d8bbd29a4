using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static AgentIM.Gateway.JsonRead;

namespace AgentIM.Gateway;

/// <summary>
/// Reads the Claude Code CLI's <c>--output-format stream-json</c> lines (one JSON object per line) into the
/// contract's chunks (gateway-cli.md §7.1): assistant <c>text</c>, <c>thinking</c> and <c>tool_use</c> blocks, the
/// user turn's <c>tool_result</c> blocks, streaming <c>text_delta</c>/<c>thinking_delta</c> events, and the final
/// <c>result</c> line (session id, cost, the reply's text, or the error).
/// </summary>
public sealed class ClaudeStreamParser : IStdoutParser
{
    private readonly StringBuilder _text = new();
    private bool _streamedText;

    /// <summary>The session to resume for the room's next message.</summary>
    public string? SessionId { get; private set; }

    public string? FullContent { get; private set; }

    public string? Error { get; private set; }

    public double CostUsd { get; private set; }

    /// <summary>Chunks produced so far (a resume that failed before any output may be retried).</summary>
    public int Produced { get; private set; }

    public IEnumerable<AgentChunk> Parse(string line)
    {
        var chunks = ParseLine(line).ToList();
        Produced += chunks.Count;
        return chunks;
    }

    private IEnumerable<AgentChunk> ParseLine(string line)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null)
        {
            // Not a JSON line (a warning the CLI printed): show it as text rather than lose it.
            return line.Trim().Length == 0 ? [] : [new AgentChunk(AgentChunk.Text, line)];
        }

        if (Text(message, "session_id") is { } session)
        {
            SessionId = session;
        }

        switch (Text(message, "type"))
        {
            case "assistant":
                return Blocks(message["message"]?["content"] as JsonArray, fromUser: false);
            case "user":
                return Blocks(message["message"]?["content"] as JsonArray, fromUser: true);
            case "stream_event":
                return Delta(message["event"] as JsonObject);
            case "result":
                if (message["total_cost_usd"] is JsonValue cost && cost.TryGetValue<double>(out var usd))
                {
                    CostUsd = usd;
                }

                var isError = message["is_error"]?.GetValueKind() == JsonValueKind.True
                    || (Text(message, "subtype") is { } sub && sub != "success");
                if (isError)
                {
                    Error = Text(message, "result") ?? Text(message, "subtype") ?? "Claude Code reported an error";
                }
                else
                {
                    FullContent = _text.Length > 0 ? _text.ToString() : Text(message, "result") ?? "";
                }

                return [];
            default:
                return [];
        }
    }

    private List<AgentChunk> Blocks(JsonArray? content, bool fromUser)
    {
        var chunks = new List<AgentChunk>();
        foreach (var block in content?.OfType<JsonObject>() ?? [])
        {
            switch (Text(block, "type"))
            {
                case "text" when !fromUser && Text(block, "text") is { } text:
                    _text.Append(text);
                    if (!_streamedText)
                    {
                        chunks.Add(new AgentChunk(AgentChunk.Text, text));
                    }

                    break;
                case "thinking" when !fromUser && Text(block, "thinking") is { } thinking && !_streamedText:
                    chunks.Add(new AgentChunk("thinking", thinking));
                    break;
                case "tool_use":
                    var name = Text(block, "name") ?? "tool";
                    var id = Text(block, "id") ?? "";
                    var input = block["input"]?.DeepClone() ?? new JsonObject();
                    var shown = new JsonObject { ["name"] = name, ["id"] = id, ["input"] = input };
                    chunks.Add(new AgentChunk("tool_use", Pretty(shown),
                        new JsonObject { ["toolName"] = name, ["toolId"] = id }));
                    break;
                case "tool_result":
                    var result = block["content"] switch
                    {
                        JsonValue v when v.TryGetValue<string>(out var s) => s,
                        JsonArray parts => string.Concat(parts.OfType<JsonObject>().Select(p => Text(p, "text") ?? "")),
                        null => "",
                        var other => other.ToJsonString(),
                    };
                    chunks.Add(new AgentChunk("tool_result", result, new JsonObject { ["toolId"] = Text(block, "tool_use_id") ?? "" }));
                    break;
            }
        }

        return chunks;
    }

    private List<AgentChunk> Delta(JsonObject? streamEvent)
    {
        if (streamEvent?["delta"] is not JsonObject delta)
        {
            return [];
        }

        switch (Text(delta, "type"))
        {
            case "text_delta" when Text(delta, "text") is { } text:
                // Deltas stream the text; the assistant message that follows repeats it and must not be sent twice.
                _streamedText = true;
                return [new AgentChunk(AgentChunk.Text, text)];
            case "thinking_delta" when Text(delta, "thinking") is { } thinking:
                _streamedText = true;
                return [new AgentChunk("thinking", thinking)];
            default:
                return [];
        }
    }
}
