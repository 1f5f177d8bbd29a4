namespace AgentIM.Agents;

/// <summary>
/// Agents deleted over REST while their gateway could not be told (behaviour.md §6.2). When that gateway comes back
/// and registers one of these ids, the hub answers <c>server:remove_agent</c> instead of recreating it, and forgets
/// the id. Node-local and in memory, at most <see cref="Capacity"/> ids (oldest dropped first), lost on restart.
/// </summary>
public sealed class DeletedAgents
{
    public const int Capacity = 10_000;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _ids = [];
    private readonly Queue<string> _order = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ids.Count;
            }
        }
    }

    public void Remember(string agentId)
    {
        lock (_gate)
        {
            if (!_ids.Add(agentId))
            {
                return;
            }

            _order.Enqueue(agentId);
            while (_ids.Count > Capacity)
            {
                _ids.Remove(_order.Dequeue());
            }

            // Ids forgotten by TryForget stay queued; rebuild before the queue outgrows the set by much.
            if (_order.Count > 2 * Capacity)
            {
                var live = _order.Where(_ids.Contains).Distinct().ToList();
                _order.Clear();
                foreach (var id in live)
                {
                    _order.Enqueue(id);
                }
            }
        }
    }

    /// <summary>True (and the id is forgotten) when the agent was deleted while its gateway was away.</summary>
    public bool TryForget(string agentId)
    {
        lock (_gate)
        {
            return _ids.Remove(agentId);
        }
    }
}
