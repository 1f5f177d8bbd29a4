using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AgentIM.Infrastructure;

namespace AgentIM.Gateway;

/// <summary>A tool an agent wants to use, waiting for a person's yes or no (gateway-cli.md §6.1).</summary>
public sealed record PermissionAsk(string ToolName, JsonObject ToolInput, TimeSpan Timeout);

/// <summary>What the room decided; <see cref="Reason"/> says why on a deny.</summary>
public sealed record PermissionAnswer(PermissionDecision Decision, string? Reason = null)
{
    public bool Allowed => Decision is PermissionDecision.Allow or PermissionDecision.AllowAlways;
}

/// <summary>The decisions of <c>server:permission_response</c>; its <c>timeout</c> counts as a deny.</summary>
public enum PermissionDecision
{
    Allow,
    AllowAlways,
    Deny,
}

/// <summary>Asks the room whether a tool may run (the adapter's side of the bridge).</summary>
public delegate Task<PermissionAnswer> PermissionBridge(PermissionAsk ask, CancellationToken cancellationToken);

/// <summary>
/// The gateway side of tool approvals (gateway-cli.md §6.1): each ask becomes a <c>gateway:permission_request</c>
/// and waits for the hub's <c>server:permission_response</c>, or its own timeout (a deny, with a notice chunk).
/// A stop, the agent's removal or shutdown denies what is still waiting.
/// </summary>
/// <remarks>
/// The public shape (PermissionAsk, PermissionAnswer, PermissionBridge, PermissionRequests) matches the one the
/// gwcore branch gives the claude-code adapter, so the codex adapter works with either side of the merge.
/// </remarks>
public sealed class PermissionRequests(IFrameSink sink)
{
    /// <summary>The contract's bounds on <c>timeoutMs</c> (websocket.md §6).</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (string AgentId, TaskCompletionSource<PermissionAnswer> Answer)> _pending = new();

    public int Count => _pending.Count;

    public async Task<PermissionAnswer> AskAsync(
        string agentId, string roomId, PermissionAsk ask, Func<AgentChunk, Task> notice, CancellationToken cancellationToken)
    {
        var timeout = ask.Timeout < MinTimeout ? MinTimeout : ask.Timeout > MaxTimeout ? MaxTimeout : ask.Timeout;
        var requestId = Ids.New();
        var answer = new TaskCompletionSource<PermissionAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = (agentId, answer);
        try
        {
            sink.Send(Request(requestId, agentId, roomId, ask, timeout), FramePriority.Critical);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(timeout);
            try
            {
                return await answer.Task.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return new PermissionAnswer(PermissionDecision.Deny, "The reply was stopped");
                }

                await notice(new AgentChunk(AgentChunk.Text,
                    $"[Permission request for {ask.ToolName} timed out after {timeout.TotalSeconds:0} s; denied]"));
                return new PermissionAnswer(PermissionDecision.Deny, "Permission request timed out");
            }
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    /// <summary>Applies a <c>server:permission_response</c>; false when no such request waits (or it is another agent's).</summary>
    public bool Resolve(string? requestId, string? agentId, string? decision, string? denyReason)
    {
        if (requestId is null || !_pending.TryGetValue(requestId, out var pending) || (agentId is not null && agentId != pending.AgentId))
        {
            return false;
        }

        return pending.Answer.TrySetResult(decision switch
        {
            "allow" => new PermissionAnswer(PermissionDecision.Allow),
            "allowAlways" => new PermissionAnswer(PermissionDecision.AllowAlways),
            "timeout" => new PermissionAnswer(PermissionDecision.Deny, "Permission request timed out"),
            _ => new PermissionAnswer(PermissionDecision.Deny, denyReason is { Length: > 0 } ? denyReason : "Permission denied by user"),
        });
    }

    /// <summary>Denies every waiting request (shutdown, gateway-cli.md §4.5), or only one agent's.</summary>
    public void DenyAll(string? agentId = null, string reason = "The gateway is shutting down")
    {
        foreach (var (owner, answer) in _pending.Values)
        {
            if (agentId is null || owner == agentId)
            {
                answer.TrySetResult(new PermissionAnswer(PermissionDecision.Deny, reason));
            }
        }
    }

    private static string Request(string requestId, string agentId, string roomId, PermissionAsk ask, TimeSpan timeout) => new JsonObject
    {
        ["type"] = "gateway:permission_request",
        ["requestId"] = requestId,
        ["agentId"] = agentId,
        ["roomId"] = roomId,
        ["toolName"] = ask.ToolName.Length <= 200 ? ask.ToolName : ask.ToolName[..200],
        ["toolInput"] = ask.ToolInput.DeepClone(),
        ["timeoutMs"] = (int)timeout.TotalMilliseconds,
    }.ToJsonString();
}
