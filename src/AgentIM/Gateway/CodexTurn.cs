using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using static AgentIM.Gateway.JsonRead;

namespace AgentIM.Gateway;

/// <summary>
/// One <c>turn/start</c> on a room's thread and what the app-server says about it until <c>turn/completed</c>
/// (gateway-cli.md §7.2): message and reasoning deltas become <c>text</c> and <c>thinking</c> chunks, command runs,
/// file changes, MCP calls and web searches become <c>tool_use</c>/<c>tool_result</c>, error items <c>error</c>.
/// Approval requests go to the room through the permission bridge. A stop, the inactivity or the absolute timeout
/// sends <c>turn/interrupt</c>; a server that does not end the turn within the grace period is ended itself.
/// </summary>
public sealed class CodexTurn(CodexAppServer server, string threadId, CodexTurnContext context)
{
    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _streamedItems = [];
    private readonly Dictionary<string, JsonArray> _fileChanges = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastActivityMs;
    private string? _lastTextItem;
    private string? _turnId;
    private string? _error;

    public async Task<AdapterResult> RunAsync(CancellationToken stop)
    {
        var events = server.Listen(threadId);
        try
        {
            var input = new JsonArray((JsonNode)new JsonObject { ["type"] = "text", ["text"] = context.Request.Prompt });
            try
            {
                var started = await server.CallAsync("turn/start", new JsonObject { ["threadId"] = threadId, ["input"] = input }, stop);
                _turnId = started?["turn"]?["id"] is JsonValue id && id.TryGetValue<string>(out var turnId) ? turnId : null;
            }
            catch (CodexException e)
            {
                return AdapterResult.Failed("", e.Message);
            }
            catch (OperationCanceledException)
            {
                return AdapterResult.Failed("", "Stopped");
            }

            return await ReadAsync(events, stop);
        }
        finally
        {
            server.Unlisten(threadId);
        }
    }

    private async Task<AdapterResult> ReadAsync(ChannelReader<JsonObject> events, CancellationToken stop)
    {
        var options = context.Options;
        while (true)
        {
            var now = _clock.ElapsedMilliseconds;
            var idleLeft = (long)options.InactivityTimeout.TotalMilliseconds - (now - _lastActivityMs);
            var totalLeft = (long)options.AbsoluteTimeout.TotalMilliseconds - now;
            if (idleLeft <= 0)
            {
                return await InterruptAsync(events, $"No output for {options.InactivityTimeout.TotalSeconds:0} s: inactivity timeout");
            }

            if (totalLeft <= 0)
            {
                return await InterruptAsync(events, $"Ran longer than {options.AbsoluteTimeout.TotalSeconds:0} s: absolute timeout");
            }

            JsonObject? message;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                wait.CancelAfter(TimeSpan.FromMilliseconds(Math.Min(idleLeft, totalLeft)));
                try
                {
                    if (!await events.WaitToReadAsync(wait.Token))
                    {
                        return AdapterResult.Failed(_text.ToString(), server.ExitReason);
                    }
                }
                catch (OperationCanceledException)
                {
                    if (stop.IsCancellationRequested)
                    {
                        return await InterruptAsync(events, "Stopped");
                    }

                    continue;
                }

                events.TryRead(out message);
            }

            if (message is null)
            {
                continue;
            }

            _lastActivityMs = _clock.ElapsedMilliseconds;
            if (message["id"] is { } requestId)
            {
                await AnswerAsync(requestId, message, stop);

                // Waiting for the room is not the agent being idle.
                _lastActivityMs = _clock.ElapsedMilliseconds;
                continue;
            }

            if (await HandleAsync(message))
            {
                return Result();
            }
        }
    }

    private AdapterResult Result()
    {
        var full = _text.ToString();
        return _error is null ? new AdapterResult(full, null) : AdapterResult.Failed(full, _error);
    }

    /// <summary>Asks the server to end the turn, reads what it still says, and ends the server if it does not stop.</summary>
    private async Task<AdapterResult> InterruptAsync(ChannelReader<JsonObject> events, string reason)
    {
        using var grace = new CancellationTokenSource(context.Options.KillGrace);
        try
        {
            if (_turnId is not null)
            {
                await server.CallAsync("turn/interrupt", new JsonObject { ["threadId"] = threadId, ["turnId"] = _turnId }, grace.Token);
            }

            while (await events.WaitToReadAsync(grace.Token))
            {
                while (events.TryRead(out var message))
                {
                    if (message["id"] is { } requestId)
                    {
                        await server.RespondAsync(requestId, new JsonObject { ["decision"] = "cancel" });
                    }
                    else if (await HandleAsync(message))
                    {
                        return AdapterResult.Failed(_text.ToString(), reason);
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or CodexException)
        {
            // No answer in time: the server is ended below and started again for the next message.
        }

        await server.DisposeAsync();
        return AdapterResult.Failed(_text.ToString(), reason);
    }

    /// <summary>Handles one notification; true when the turn is over.</summary>
    private async Task<bool> HandleAsync(JsonObject message)
    {
        var parameters = message["params"] as JsonObject ?? [];
        switch (Text(message, "method"))
        {
            case "item/agentMessage/delta":
                await TextAsync(Text(parameters, "itemId") ?? "", Text(parameters, "delta") ?? "");
                return false;
            case "item/reasoning/summaryTextDelta":
            case "item/reasoning/textDelta":
                _streamedItems.Add(Text(parameters, "itemId") ?? "");
                await EmitAsync(new AgentChunk("thinking", Text(parameters, "delta") ?? ""));
                return false;
            case "item/started" when parameters["item"] is JsonObject item:
                await ItemStartedAsync(item);
                return false;
            case "item/completed" when parameters["item"] is JsonObject item:
                await ItemCompletedAsync(item);
                return false;
            case "error" when parameters["error"] is JsonObject error:
                // A retried error is the server's business; a final one fails the turn (turn/completed follows).
                if (parameters["willRetry"]?.GetValueKind() != JsonValueKind.True)
                {
                    _error = Text(error, "message") ?? "Codex reported an error";
                }

                return false;
            case "turn/completed":
                var turn = parameters["turn"] as JsonObject ?? [];
                if (Text(turn, "status") == "failed")
                {
                    var failure = turn["error"] as JsonObject;
                    _error = (failure is null ? null : Text(failure, "message")) ?? _error ?? "The Codex turn failed";
                }

                return true;
            case "codex/event/task_complete":
                return true;
            default:
                // token counts, plan updates, rate limits: nothing the room shows.
                return false;
        }
    }

    private async Task ItemStartedAsync(JsonObject item)
    {
        var id = Text(item, "id") ?? "";
        switch (Text(item, "type"))
        {
            case "commandExecution":
                await EmitAsync(new AgentChunk("tool_use", "$ " + Command(item["command"]),
                    new JsonObject { ["toolName"] = "command", ["toolId"] = id }));
                break;
            case "fileChange" when item["changes"] is JsonArray changes:
                _fileChanges[id] = (JsonArray)changes.DeepClone();
                break;
        }
    }

    private async Task ItemCompletedAsync(JsonObject item)
    {
        var id = Text(item, "id") ?? "";
        switch (Text(item, "type"))
        {
            case "agentMessage" when !_streamedItems.Contains(id) && Text(item, "text") is { } text:
                await TextAsync(id, text);
                break;
            case "reasoning" when !_streamedItems.Contains(id) && item["summary"] is JsonArray summary:
                var thought = string.Join("\n", summary.Select(s => s is JsonValue v && v.TryGetValue<string>(out var t) ? t : ""));
                await EmitAsync(new AgentChunk("thinking", thought));
                break;
            case "commandExecution":
                await EmitAsync(new AgentChunk("tool_result", Text(item, "aggregatedOutput") ?? "", new JsonObject { ["toolId"] = id }));
                break;
            case "fileChange":
                var changes = item["changes"] as JsonArray ?? _fileChanges.GetValueOrDefault(id) ?? [];
                var lines = changes.OfType<JsonObject>().Select(c => $"{Kind(c["kind"])}: {Text(c, "path")}");
                await EmitAsync(new AgentChunk("tool_result", string.Join("\n", lines), new JsonObject { ["toolId"] = id }));
                break;
            case "mcpToolCall":
                var server = Text(item, "server") ?? "mcp";
                var tool = Text(item, "tool") ?? "tool";
                var call = new JsonObject { ["server"] = server, ["tool"] = tool, ["arguments"] = item["arguments"]?.DeepClone() };
                var callMetadata = new JsonObject { ["toolName"] = $"{server}:{tool}", ["toolId"] = id };
                await EmitAsync(new AgentChunk("tool_use", Pretty(call), callMetadata));
                break;
            case "webSearch":
                await EmitAsync(new AgentChunk("tool_use", "Web search: " + Text(item, "query"),
                    new JsonObject { ["toolName"] = "web_search", ["toolId"] = id }));
                break;
            case "error":
                await EmitAsync(new AgentChunk(AgentChunk.Error, Text(item, "message") ?? "Codex reported an error"));
                break;
        }
    }

    /// <summary>Streams reply text; a new message item after an earlier one starts a new paragraph.</summary>
    private async Task TextAsync(string itemId, string delta)
    {
        _streamedItems.Add(itemId);
        if (_lastTextItem is not null && _lastTextItem != itemId && _text.Length > 0)
        {
            delta = "\n\n" + delta;
        }

        _lastTextItem = itemId;
        _text.Append(delta);
        await EmitAsync(new AgentChunk(AgentChunk.Text, delta));
    }

    /// <summary>Answers one of the server's requests: approvals through the room, user-input requests with no answers.</summary>
    private async Task AnswerAsync(JsonNode requestId, JsonObject message, CancellationToken stop)
    {
        var parameters = message["params"] as JsonObject ?? [];
        string toolName;
        JsonObject toolInput;
        switch (Text(message, "method"))
        {
            case "item/commandExecution/requestApproval":
                toolName = "Bash";
                toolInput = new JsonObject
                {
                    ["command"] = Command(parameters["command"]),
                    ["cwd"] = Text(parameters, "cwd") ?? context.Request.WorkingDirectory,
                    ["commandActions"] = parameters["commandActions"]?.DeepClone() ?? new JsonArray(),
                };
                break;
            case "item/fileChange/requestApproval":
                var changes = _fileChanges.GetValueOrDefault(Text(parameters, "itemId") ?? "") ?? [];
                toolName = "Write";
                toolInput = new JsonObject
                {
                    ["path"] = changes.OfType<JsonObject>().Select(c => Text(c, "path")).FirstOrDefault(p => p is not null)
                        ?? Text(parameters, "grantRoot") ?? "",
                    ["changes"] = changes.DeepClone(),
                };
                break;
            case "item/tool/requestUserInput":
                await RespondAsync(requestId, new JsonObject { ["answers"] = new JsonObject() });
                return;
            default:
                await RespondErrorAsync(requestId, "The AgentIM gateway does not answer this request");
                return;
        }

        if (Text(parameters, "reason") is { } reason)
        {
            toolInput["reason"] = reason;
        }

        var decision = await context.DecideAsync(toolName, toolInput, stop);
        if (!decision.Allowed && !stop.IsCancellationRequested)
        {
            var because = decision.Reason is { Length: > 0 } why ? ": " + why : "";
            await TextAsync("agentim-permission", $"[Permission for {toolName} denied{because}]");
        }

        var answer = decision.Decision switch
        {
            PermissionDecision.Allow => "accept",
            PermissionDecision.AllowAlways => "acceptForSession",
            _ => "cancel",
        };
        await RespondAsync(requestId, new JsonObject { ["decision"] = answer });
    }

    private async Task RespondAsync(JsonNode requestId, JsonObject result)
    {
        try
        {
            await server.RespondAsync(requestId, result);
        }
        catch (CodexException)
        {
            // The server is gone; the channel completes and the turn fails with its exit reason.
        }
    }

    private async Task RespondErrorAsync(JsonNode requestId, string text)
    {
        try
        {
            await server.RespondErrorAsync(requestId, -32601, text);
        }
        catch (CodexException)
        {
            // As above.
        }
    }

    private async Task EmitAsync(AgentChunk chunk)
    {
        if (chunk.Content.Length == 0 && chunk.Metadata is null)
        {
            return;
        }

        for (var offset = 0; offset == 0 || offset < chunk.Content.Length; offset += GatewayFrames.MaxChunkContent)
        {
            var length = Math.Min(GatewayFrames.MaxChunkContent, chunk.Content.Length - offset);
            var piece = length == chunk.Content.Length ? chunk : chunk with { Content = chunk.Content.Substring(offset, length) };
            await context.OnChunk(piece);
        }
    }

    /// <summary>A command as the app-server gives it: one string (v2), or an argument list (older servers).</summary>
    private static string Command(JsonNode? command) => command switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray parts => string.Join(' ', parts.Select(p => p is JsonValue pv && pv.TryGetValue<string>(out var s) ? s : "")),
        _ => "",
    };

    /// <summary>A file change's kind: a word, or an object whose <c>type</c> is the word.</summary>
    private static string Kind(JsonNode? kind) => kind switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o when Text(o, "type") is { } type => type,
        _ => "change",
    };

}

/// <summary>What a Codex turn needs from its adapter: the request, limits, where chunks go, and how approvals are decided.</summary>
public sealed record CodexTurnContext(
    AdapterRequest Request,
    GenericAdapterOptions Options,
    Func<AgentChunk, Task> OnChunk,
    Func<string, JsonObject, CancellationToken, Task<PermissionAnswer>> DecideAsync);
