using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AgentIM.Infrastructure;

namespace AgentIM.Gateway;

/// <summary>What the room decided about one tool use (the contract's <c>server:permission_response</c> decisions).</summary>
public enum PermissionDecision
{
    Allow,
    AllowAlways,
    Deny,
    Timeout,
}

/// <summary>Asks the room whether the agent may use a tool; the adapter's side of the permission bridge.</summary>
public delegate Task<PermissionDecision> PermissionAsk(string toolName, JsonObject toolInput, CancellationToken cancellationToken);

/// <summary>
/// The permission bridge (gateway-cli.md §6.1): sends <c>gateway:permission_request</c> for a tool an adapter wants
/// to use and waits for the hub's <c>server:permission_response</c>, or its own timeout (a denial). A stop, the
/// agent's removal or shutdown denies what is still waiting.
/// </summary>
public sealed class PermissionBridge(IFrameSink sink)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<PermissionDecision>> _pending = new();

    /// <summary>How long the room has to answer; the contract allows 1 s to 5 min and the real gateway asks 5 min.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests still waiting for an answer.</summary>
    public int Pending => _pending.Count;

    public async Task<PermissionDecision> AskAsync(
        string agentId, string roomId, string toolName, JsonObject toolInput, CancellationToken cancellationToken)
    {
        var requestId = "perm_" + Ids.New();
        var answer = new TaskCompletionSource<PermissionDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = answer;
        try
        {
            var timeoutMs = (int)Math.Clamp(Timeout.TotalMilliseconds, 1_000, 300_000);
            sink.Send(Request(requestId, agentId, roomId, toolName, toolInput, timeoutMs), FramePriority.Critical);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(Timeout);
            try
            {
                return await answer.Task.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                return cancellationToken.IsCancellationRequested ? PermissionDecision.Deny : PermissionDecision.Timeout;
            }
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    /// <summary>Resolves a waiting request from a <c>server:permission_response</c> frame; unknown ids are ignored.</summary>
    public bool Resolve(JsonObject frame)
    {
        if (frame["requestId"] is not JsonValue id || !id.TryGetValue<string>(out var requestId)
            || !_pending.TryGetValue(requestId, out var answer))
        {
            return false;
        }

        var decision = frame["decision"] is JsonValue d && d.TryGetValue<string>(out var text) ? text : null;
        return answer.TrySetResult(decision switch
        {
            "allow" => PermissionDecision.Allow,
            "allowAlways" => PermissionDecision.AllowAlways,
            "timeout" => PermissionDecision.Timeout,
            _ => PermissionDecision.Deny,
        });
    }

    /// <summary>Denies everything still waiting (shutdown, gateway-cli.md §4.5).</summary>
    public void DenyAll()
    {
        foreach (var answer in _pending.Values)
        {
            answer.TrySetResult(PermissionDecision.Deny);
        }
    }

    private static string Request(string requestId, string agentId, string roomId, string toolName, JsonObject toolInput, int timeoutMs)
    {
        // The contract allows at most 100 top-level keys in toolInput; an adapter's input is far below that.
        return new JsonObject
        {
            ["type"] = "gateway:permission_request",
            ["requestId"] = requestId,
            ["agentId"] = agentId,
            ["roomId"] = roomId,
            ["toolName"] = toolName.Length <= 200 ? toolName : toolName[..200],
            ["toolInput"] = toolInput.DeepClone(),
            ["timeoutMs"] = timeoutMs,
        }.ToJsonString();
    }
}
