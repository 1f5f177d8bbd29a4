using System.Collections.Concurrent;

namespace AgentIM.Realtime;

/// <summary>
/// The sender cooldown of behaviour.md §1.2 step 6. A gateway reports how many messages an agent has queued; while
/// that depth q is above zero, one sender may reach that agent at most once per min(15 s × q, 120 s), and is told to
/// wait instead of piling more work on a busy agent. Depths and send times are kept in memory on the node the agent's
/// gateway reports to, as the contract keeps them (behaviour.md §12); the send-time map is bounded.
/// </summary>
public sealed class SenderCooldowns
{
    public const int MaxEntries = 10_000;
    private static readonly TimeSpan PerQueuedMessage = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(120);

    private readonly ConcurrentDictionary<string, int> _queueDepths = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Sender, string Agent), DateTimeOffset> _lastSends = new();

    private readonly TimeProvider _clock;
    private long _lastPruneTicks;

    public SenderCooldowns()
        : this(TimeProvider.System)
    {
    }

    internal SenderCooldowns(TimeProvider clock) => _clock = clock;

    /// <summary>Remembers the depth a gateway reported for its agent; zero (or the agent going away) clears it.</summary>
    public void ReportQueueDepth(string agentId, int depth)
    {
        if (depth > 0)
        {
            _queueDepths[agentId] = depth;
        }
        else
        {
            _queueDepths.TryRemove(agentId, out _);
        }
    }

    public void Forget(string agentId) => _queueDepths.TryRemove(agentId, out _);

    /// <summary>
    /// Decides one send of <paramref name="senderId"/> to <paramref name="agentId"/>. Returns null when it may go
    /// (and then remembers it when a cooldown applies), or the wait left and the queue depth when it must not.
    /// </summary>
    public (int QueueDepth, TimeSpan Remaining)? TryPass(string senderId, string agentId)
    {
        if (!_queueDepths.TryGetValue(agentId, out var depth) || depth <= 0)
        {
            return null;
        }

        var cooldown = PerQueuedMessage * depth < Longest ? PerQueuedMessage * depth : Longest;
        var now = _clock.GetUtcNow();
        var key = (senderId, agentId);
        if (_lastSends.TryGetValue(key, out var last) && now - last < cooldown)
        {
            return (depth, cooldown - (now - last));
        }

        if (_lastSends.Count >= MaxEntries)
        {
            Prune(now);
        }

        if (_lastSends.Count < MaxEntries || _lastSends.ContainsKey(key))
        {
            _lastSends[key] = now;
        }

        return null;
    }

    /// <summary>Send times older than the longest cooldown cannot hold anyone back any more.</summary>
    private void Prune(DateTimeOffset now)
    {
        // A full map of fresh entries is walked at most once a second, not on every send.
        var last = Interlocked.Read(ref _lastPruneTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerSecond || Interlocked.CompareExchange(ref _lastPruneTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var (key, sent) in _lastSends)
        {
            if (now - sent >= Longest)
            {
                _lastSends.TryRemove(key, out _);
            }
        }
    }
}
