using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static AgentIM.Gateway.JsonRead;

namespace AgentIM.Gateway;

/// <summary>
/// Reads the Gemini CLI's headless <c>--output-format stream-json</c> lines (one event per line: <c>init</c>,
/// <c>message</c>, <c>tool_use</c>, <c>tool_result</c>, <c>error</c>, <c>result</c>) into the contract's chunks, as
/// gateway-cli.md §7.3 maps Gemini's events: assistant content → <c>text</c>, tool calls → <c>tool_use</c> (JSON
/// <c>{name, id, input}</c>), tool responses → <c>tool_result</c> (the output or <c>Error: …</c>), errors → <c>error</c>.
/// </summary>
public sealed class GeminiStreamParser : IStdoutParser
{
    private readonly StringBuilder _text = new();

    /// <summary>The session to resume for the room's next message (from the <c>init</c> event).</summary>
    public string? SessionId { get; private set; }

    public string? Model { get; private set; }

    public string? FullContent { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Chunks produced so far (a resume that failed before any output may be retried).</summary>
    public int Produced { get; private set; }

    public IEnumerable<AgentChunk> Parse(string line)
    {
        var chunks = ParseLine(line);
        Produced += chunks.Count;
        return chunks;
    }

    private List<AgentChunk> ParseLine(string line)
    {
        JsonObject? parsed;
        try
        {
            parsed = JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            parsed = null;
        }

        if (parsed is not { } message)
        {
            // Not an event (a notice the CLI printed): keep it visible rather than lose it.
            return line.Trim().Length == 0 ? [] : [new AgentChunk(AgentChunk.Text, line + "\n")];
        }

        switch (Text(message, "type"))
        {
            case "init":
                SessionId = Text(message, "session_id") ?? Text(message, "sessionId") ?? SessionId;
                Model = Text(message, "model") ?? Model;
                return [];
            case "message" when Text(message, "role") == "assistant" && Text(message, "content") is { Length: > 0 } content:
                _text.Append(content);
                return [new AgentChunk(AgentChunk.Text, content)];
            case "tool_use":
                var name = Text(message, "tool_name") ?? "tool";
                var id = Text(message, "tool_id") ?? "";
                var call = new JsonObject
                {
                    ["name"] = name,
                    ["id"] = id,
                    ["input"] = message["parameters"]?.DeepClone() ?? new JsonObject(),
                };
                return [new AgentChunk("tool_use", Pretty(call), new JsonObject { ["toolName"] = name, ["toolId"] = id })];
            case "tool_result":
                var failure = message["error"] as JsonObject;
                var output = Text(message, "status") == "error"
                    ? "Error: " + ((failure is null ? null : Text(failure, "message")) ?? "the tool failed")
                    : Text(message, "output") ?? "";
                return [new AgentChunk("tool_result", output, new JsonObject { ["toolId"] = Text(message, "tool_id") ?? "" })];
            case "error":
                var text = Text(message, "message") ?? "Gemini reported an error";
                return Text(message, "severity") == "warning"
                    ? [new AgentChunk(AgentChunk.Text, $"[Warning: {text}]\n", new JsonObject { ["warning"] = true })]
                    : [new AgentChunk(AgentChunk.Error, text)];
            case "result":
                if (Text(message, "status") is { } status && status != "success")
                {
                    var error = message["error"] as JsonObject;
                    Error = (error is null ? null : Text(error, "message")) ?? $"Gemini ended with status {status}";
                }

                FullContent = _text.ToString();
                return [];
            default:
                return [];
        }
    }
}
