using System.Collections.Concurrent;
using AgentIM.Infrastructure.Config;
using AgentIM.Redis;

namespace AgentIM.Realtime;

/// <summary>
/// The brakes on agent-to-agent conversations (behaviour.md §1.4): a fixed window of completions per agent, and per
/// conversation the set of agents that already replied (kept 300 s after its last change), so A→B→A stops at B.
/// With Redis both are shared by every node (<c>ws:agent_rate:&lt;agentId&gt;</c>, <c>conv:&lt;id&gt;:visited</c>); without it, or
/// while it is away, in process.
/// </summary>
public sealed class AgentChains(HubConfig config, SharedCounters shared)
{
    private const int MaxTracked = 100_000;
    private static readonly long VisitedLifetimeMs = (long)TimeSpan.FromSeconds(300).TotalMilliseconds;

    private readonly ConcurrentDictionary<string, Window> _windows = new();
    private readonly ConcurrentDictionary<string, Visited> _conversations = new();

    public async ValueTask<bool> TryCountCompletionAsync(string agentId)
    {
        if (await shared.HitAsync("ws:agent_rate:" + agentId, config.AgentRateLimitWindow) is { } hit)
        {
            return hit.Count <= config.AgentRateLimitMax;
        }

        return TryCountCompletion(agentId);
    }

    public async ValueTask<IReadOnlySet<string>> AddVisitedAsync(string conversationId, string agentId)
    {
        var agents = await shared.AddToSetAsync($"conv:{conversationId}:visited", agentId, TimeSpan.FromMilliseconds(VisitedLifetimeMs));
        return agents ?? AddVisited(conversationId, agentId);
    }

    /// <summary>Counts one completion of the agent; false once it is over its limit for the current window.</summary>
    public bool TryCountCompletion(string agentId)
    {
        var now = Environment.TickCount64;
        var windowMs = (long)config.AgentRateLimitWindow.TotalMilliseconds;
        if (_windows.Count > MaxTracked)
        {
            _windows.Clear();
        }

        var window = _windows.AddOrUpdate(
            agentId,
            _ => new Window(now, 1),
            (_, w) => now - w.StartedAt >= windowMs ? new Window(now, 1) : w with { Count = w.Count + 1 });
        return window.Count <= config.AgentRateLimitMax;
    }

    /// <summary>Records that the agent replied in the conversation; returns the agents that have replied in it so far.</summary>
    public IReadOnlySet<string> AddVisited(string conversationId, string agentId)
    {
        var now = Environment.TickCount64;
        if (_conversations.Count > MaxTracked)
        {
            foreach (var (key, stale) in _conversations)
            {
                if (now - stale.TouchedAt > VisitedLifetimeMs)
                {
                    _conversations.TryRemove(key, out _);
                }
            }
        }

        var visited = _conversations.AddOrUpdate(
            conversationId,
            _ => new Visited(now, [agentId]),
            (_, v) => now - v.TouchedAt > VisitedLifetimeMs
                ? new Visited(now, [agentId])
                : new Visited(now, [.. v.Agents, agentId]));
        return visited.Agents;
    }

    private sealed record Window(long StartedAt, int Count);

    private sealed record Visited(long TouchedAt, HashSet<string> Agents);
}
