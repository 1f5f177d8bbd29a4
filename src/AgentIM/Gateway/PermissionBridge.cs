using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AgentIM.Infrastructure;

namespace AgentIM.Gateway;

/// <summary>A tool an agent wants to use, waiting for a person's yes or no (gateway-cli.md §6.1).</summary>
public sealed record PermissionAsk(string ToolName, JsonObject ToolInput, TimeSpan Timeout);

/// <summary>What the person decided; <see cref="Reason"/> is given back to the agent on a deny.</summary>
public sealed record PermissionAnswer(PermissionDecision Decision, string? Reason = null)
{
    public bool Allowed => Decision is PermissionDecision.Allow or PermissionDecision.AllowAlways;
}

public enum PermissionDecision
{
    Allow,
    AllowAlways,
    Deny,
}

/// <summary>Asks the room whether a tool may run; answers deny when nobody can be asked.</summary>
public delegate Task<PermissionAnswer> PermissionBridge(PermissionAsk ask, CancellationToken cancellationToken);

/// <summary>
/// The gateway side of tool approvals (gateway-cli.md §6.1): each ask becomes a <c>gateway:permission_request</c>
/// and waits for the hub's <c>server:permission_response</c> (<c>allow</c>, <c>allowAlways</c>, <c>deny</c>,
/// <c>timeout</c>). The gateway keeps its own timer too: a request nobody answers is denied with a notice chunk,
/// and a reminder chunk goes out before that.
/// </summary>
public sealed class PermissionRequests(IFrameSink sink)
{
    /// <summary>The contract's bounds on <c>timeoutMs</c> (websocket.md §6).</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The contract's bound on top-level keys of <c>toolInput</c>.</summary>
    private const int MaxInputKeys = 100;

    private readonly ConcurrentDictionary<string, Pending> _pending = new();

    public int Count => _pending.Count;

    /// <summary>
    /// Sends the request for <paramref name="agentId"/> in <paramref name="roomId"/> and waits for its answer;
    /// <paramref name="notice"/> carries the reminder and timeout chunks into the reply.
    /// </summary>
    public async Task<PermissionAnswer> AskAsync(
        string agentId, string roomId, PermissionAsk ask, Func<AgentChunk, Task> notice, CancellationToken cancellationToken)
    {
        var timeout = ask.Timeout < MinTimeout ? MinTimeout : ask.Timeout > MaxTimeout ? MaxTimeout : ask.Timeout;
        var requestId = Ids.New();
        var pending = new Pending(agentId);
        _pending[requestId] = pending;
        try
        {
            sink.Send(GatewayFrames.PermissionRequest(requestId, agentId, roomId, ask.ToolName, Bounded(ask.ToolInput), timeout),
                FramePriority.Critical);
            using var reminder = new CancellationTokenSource();
            var remind = timeout > TimeSpan.FromSeconds(5)
                ? RemindAsync(ask.ToolName, timeout, notice, pending.Answer.Task, reminder.Token)
                : Task.CompletedTask;
            var answered = await Task.WhenAny(pending.Answer.Task, Task.Delay(timeout, cancellationToken));
            await reminder.CancelAsync();
            await remind;
            if (answered == pending.Answer.Task)
            {
                return await pending.Answer.Task;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return new PermissionAnswer(PermissionDecision.Deny, "The reply was stopped");
            }

            await notice(new AgentChunk(AgentChunk.Text,
                $"[Permission request for {ask.ToolName} timed out after {timeout.TotalSeconds:0} s; denied]"));
            return new PermissionAnswer(PermissionDecision.Deny, "Permission request timed out");
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

        var answer = decision switch
        {
            "allow" => new PermissionAnswer(PermissionDecision.Allow),
            "allowAlways" => new PermissionAnswer(PermissionDecision.AllowAlways),
            "timeout" => new PermissionAnswer(PermissionDecision.Deny, "Permission request timed out"),
            _ => new PermissionAnswer(PermissionDecision.Deny, denyReason is { Length: > 0 } ? denyReason : "Permission denied by user"),
        };
        return pending.Answer.TrySetResult(answer);
    }

    /// <summary>Denies every waiting request (shutdown, gateway-cli.md §4.5), or only one agent's.</summary>
    public void DenyAll(string? agentId = null, string reason = "The gateway is shutting down")
    {
        foreach (var pending in _pending.Values)
        {
            if (agentId is null || pending.AgentId == agentId)
            {
                pending.Answer.TrySetResult(new PermissionAnswer(PermissionDecision.Deny, reason));
            }
        }
    }

    /// <summary>The reminder lands at min(0.75 × timeout, timeout − 10 s), as the real gateway does.</summary>
    private static async Task RemindAsync(
        string toolName, TimeSpan timeout, Func<AgentChunk, Task> notice, Task answered, CancellationToken cancellationToken)
    {
        var at = TimeSpan.FromTicks(Math.Min((long)(timeout.Ticks * 0.75), (timeout - TimeSpan.FromSeconds(10)).Ticks));
        if (at <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(at, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!answered.IsCompleted)
        {
            var left = timeout - at;
            await notice(new AgentChunk(AgentChunk.Text,
                $"[Waiting for approval to use {toolName}; it is denied in {left.TotalSeconds:0} s]"));
        }
    }

    /// <summary>Keeps the tool input within the contract's key rules (websocket.md §6) so the hub does not drop the request.</summary>
    private static JsonObject Bounded(JsonObject input)
    {
        string[] refused = ["__proto__", "constructor", "prototype"];
        if (input.Count <= MaxInputKeys && !input.Any(p => refused.Contains(p.Key) || p.Key.Length > 200))
        {
            return input;
        }

        var kept = new JsonObject();
        foreach (var (key, value) in input.Where(p => !refused.Contains(p.Key) && p.Key.Length <= 200).Take(MaxInputKeys - 1))
        {
            kept[key] = value?.DeepClone();
        }

        kept["_truncated"] = true;
        return kept;
    }

    private sealed class Pending(string agentId)
    {
        public string AgentId { get; } = agentId;

        public TaskCompletionSource<PermissionAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
