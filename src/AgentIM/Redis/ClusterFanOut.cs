using System.Collections.Concurrent;
using System.Threading.Channels;
using AgentIM.Agents;
using AgentIM.Realtime;
using StackExchange.Redis;

namespace AgentIM.Redis;

/// <summary>
/// Multi-node fan-out over Redis pub/sub (websocket.md §14). Every node pattern-subscribes to <c>agentim:*</c>
/// once (the client re-subscribes by itself after an outage, so a frame is never delivered twice) and hands what
/// other nodes publish to <see cref="ConnectionRegistry"/>'s local delivery. Publications go through one queue
/// and one writer, so this node's frames reach the others in the order they were sent. Which node holds an agent
/// is kept in the hash <c>agentim:agents</c> and mirrored here. Each node renews <c>node:&lt;nodeId&gt;</c> (lifetime
/// <see cref="NodeLifetime"/>) every two seconds; an entry of a node whose key expired (a crashed node) is treated as
/// free, and is removed (its agents marked offline) by the first node that notices. Channel and key names are stable.
/// </summary>
public sealed class ClusterFanOut : IClusterFanOut, IAsyncDisposable
{
    public const string RoomChannelPrefix = "agentim:room:";
    public const string BroadcastChannel = "agentim:broadcast";
    public const string GatewayChannel = "agentim:gateway";
    public const string ControlChannel = "agentim:control";
    public const string AgentsKey = "agentim:agents";
    public const string NodeKeyPrefix = "node:";
    public const string NodesKey = "agentim:nodes";

    /// <summary>How long a node counts as running after its last heartbeat.</summary>
    public static readonly TimeSpan NodeLifetime = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    private const int OutboxCapacity = 50_000;

    // Removes the agent's entry only if this node still owns it (a newer binding elsewhere wins).
    private const string UnbindScript = """
        if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
            return redis.call('HDEL', KEYS[1], ARGV[1])
        end
        return 0
        """;

    // Renews this node's key and returns the nodes whose keys still live (forgetting the others).
    private const string HeartbeatScript = """
        redis.call('SET', ARGV[2] .. ARGV[1], '1', 'PX', ARGV[3])
        redis.call('SADD', KEYS[1], ARGV[1])
        local live = {}
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
            if redis.call('EXISTS', ARGV[2] .. id) == 1 then
                table.insert(live, id)
            else
                redis.call('SREM', KEYS[1], id)
            end
        end
        return live
        """;

    // The agents whose holding node is running (ARGV[2] == '1'), or removes and returns those held by stopped nodes.
    private const string AgentsByLivenessScript = """
        local result = {}
        local entries = redis.call('HGETALL', KEYS[1])
        for i = 1, #entries, 2 do
            local live = redis.call('EXISTS', ARGV[1] .. entries[i + 1]) == 1
            if ARGV[2] == '1' and live then
                table.insert(result, entries[i])
            elseif ARGV[2] == '0' and not live then
                redis.call('HDEL', KEYS[1], entries[i])
                table.insert(result, entries[i])
            end
        end
        return result
        """;

    private readonly RedisConnection _redis;
    private readonly ConnectionRegistry _registry;
    private readonly ILogger<ClusterFanOut> _logger;
    private readonly Channel<(RedisChannel Channel, byte[] Payload)> _outbox =
        Channel.CreateBounded<(RedisChannel, byte[])>(new BoundedChannelOptions(OutboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
    private readonly ConcurrentDictionary<string, string> _remoteAgents = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private ChannelMessageQueue? _subscription;
    private Task _pump = Task.CompletedTask;
    private Task _watch = Task.CompletedTask;
    private int _resyncWanted;

    private readonly AgentStore _agents;
    private HashSet<string>? _liveNodes;

    // When each other node was last heard on the channels: a node that just started publishes before this node's
    // next heartbeat lists it, and must not be taken for a stopped one meanwhile.
    private readonly ConcurrentDictionary<string, long> _heardFrom = new(StringComparer.Ordinal);
    private long _lastHeartbeat;
    private long _restoredAt;

    public ClusterFanOut(RedisConnection redis, ConnectionRegistry registry, AgentStore agents, ILogger<ClusterFanOut> logger)
    {
        _redis = redis;
        _registry = registry;
        _agents = agents;
        _logger = logger;
    }

    /// <summary>
    /// Another node revoked a user's sessions (user, session or null, instant in ms); the auth layer applies it, which
    /// closes this node's sockets once, whether this message or the PostgreSQL NOTIFY arrives first.
    /// </summary>
    public event Action<string, string?, long>? SessionsClosedElsewhere;

    public bool IsSubscribed => _subscription is not null && _redis.IsAvailable;

    /// <summary>Hooks into the registry and starts the writer; subscribes now or as soon as Redis is reachable.</summary>
    public async Task StartAsync()
    {
        if (!_redis.IsConfigured)
        {
            return;
        }

        _registry.FanOut = this;
        _redis.Restored += () =>
        {
            Interlocked.Exchange(ref _resyncWanted, 1);
            Interlocked.Exchange(ref _restoredAt, Environment.TickCount64);
        };
        _pump = PumpAsync();
        await HeartbeatAsync();
        await TrySubscribeAsync();
        _watch = WatchAsync(_stopping.Token);
    }

    public void PublishToRoom(string roomId, byte[] frame) =>
        Enqueue(RedisChannel.Literal(RoomChannelPrefix + roomId), new FanOutEnvelope(_redis.NodeId, frame, Room: roomId));

    public void PublishToUser(string userId, byte[] frame) =>
        Enqueue(RedisChannel.Literal(BroadcastChannel), new FanOutEnvelope(_redis.NodeId, frame, User: userId));

    public void PublishToAllClients(byte[] frame) =>
        Enqueue(RedisChannel.Literal(BroadcastChannel), new FanOutEnvelope(_redis.NodeId, frame));

    public bool PublishToAgent(string agentId, byte[] frame)
    {
        if (!_redis.IsAvailable || !_remoteAgents.TryGetValue(agentId, out var node) || !IsLive(node))
        {
            return false;
        }

        return Enqueue(RedisChannel.Literal(GatewayChannel), new FanOutEnvelope(_redis.NodeId, frame, Agent: agentId));
    }

    public void PublishCloseSessions(string userId, string? sessionId, byte[] clientNotice) =>
        Enqueue(RedisChannel.Literal(ControlChannel),
            new FanOutEnvelope(_redis.NodeId, clientNotice, User: userId, Control: "disconnect", Session: sessionId,
                At: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    public void PublishEviction(string userId, string roomId) =>
        Enqueue(RedisChannel.Literal(ControlChannel),
            new FanOutEnvelope(_redis.NodeId, default, User: userId, Room: roomId, Control: "evict"));

    public void PublishRoomDropped(string roomId) =>
        Enqueue(RedisChannel.Literal(ControlChannel), new FanOutEnvelope(_redis.NodeId, default, Room: roomId, Control: "drop"));

    public void AgentBound(string agentId)
    {
        _remoteAgents.TryRemove(agentId, out _);
        if (_redis.Database("agent directory") is { } db)
        {
            // The node key first, so a node that binds before its first heartbeat is never taken for a stopped one.
            _ = IgnoreFailureAsync(db.StringSetAsync(NodeKeyPrefix + _redis.NodeId, "1", NodeLifetime), "agent directory");
            _ = IgnoreFailureAsync(db.HashSetAsync(AgentsKey, agentId, _redis.NodeId), "agent directory");
        }

        Enqueue(RedisChannel.Literal(ControlChannel), new FanOutEnvelope(_redis.NodeId, default, Agent: agentId, Control: "agent-up"));
    }

    public void AgentUnbound(string agentId)
    {
        if (_redis.Database("agent directory") is { } db)
        {
            _ = IgnoreFailureAsync(db.ScriptEvaluateAsync(UnbindScript, [AgentsKey], [agentId, _redis.NodeId]), "agent directory");
        }

        Enqueue(RedisChannel.Literal(ControlChannel), new FanOutEnvelope(_redis.NodeId, default, Agent: agentId, Control: "agent-down"));
    }

    /// <summary>
    /// The agents held by a running node (read at start-up, before this node holds any); null when Redis is not
    /// configured or not reachable.
    /// </summary>
    public async Task<IReadOnlyCollection<string>?> AgentsHeldByRunningNodesAsync()
    {
        if (_redis.Database("agent directory") is not { } db)
        {
            return null;
        }

        try
        {
            var held = (RedisResult[])(await db.ScriptEvaluateAsync(AgentsByLivenessScript, [AgentsKey], [NodeKeyPrefix, "1"]))!;
            return held.Select(r => (string)r!).ToArray();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _redis.CountFallback("agent directory", e);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _outbox.Writer.TryComplete();
        await _pump;
        try
        {
            await _watch;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stopping.Dispose();
    }

    private bool Enqueue(RedisChannel channel, FanOutEnvelope envelope)
    {
        if (!_redis.IsAvailable)
        {
            // The other nodes cannot be reached; this node's own sockets already have the frame.
            _redis.CountFallback("publish", null);
            return false;
        }

        if (!_outbox.Writer.TryWrite((channel, envelope.Write())))
        {
            _redis.CountFallback("publish", null);
            return false;
        }

        return true;
    }

    /// <summary>The single writer: publishes in queue order. Fire-and-forget keeps the order (one connection) without waiting.</summary>
    private async Task PumpAsync()
    {
        await foreach (var (channel, payload) in _outbox.Reader.ReadAllAsync())
        {
            if (_redis.Multiplexer is not { IsConnected: true } multiplexer)
            {
                _redis.CountFallback("publish", null);
                continue;
            }

            try
            {
                multiplexer.GetSubscriber().Publish(channel, payload, CommandFlags.FireAndForget);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                _redis.CountFallback("publish", e);
            }
        }
    }

    /// <summary>Subscribes once Redis is reachable and re-reads the agent directory after each outage.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            if (Environment.TickCount64 - Interlocked.Read(ref _lastHeartbeat) >= HeartbeatInterval.TotalMilliseconds)
            {
                await HeartbeatAsync();
            }

            if (_subscription is null)
            {
                await TrySubscribeAsync();
            }
            else if (_redis.IsAvailable && Interlocked.Exchange(ref _resyncWanted, 0) == 1)
            {
                await ResyncAgentsAsync();
            }
        }
    }

    private bool IsLive(string nodeId) =>
        Volatile.Read(ref _liveNodes) is not { } live
        || live.Contains(nodeId)
        || (_heardFrom.TryGetValue(nodeId, out var at) && Environment.TickCount64 - at < NodeLifetime.TotalMilliseconds);

    /// <summary>
    /// Renews this node's key, learns which nodes run, forgets agents of the others and frees the agents of stopped
    /// nodes (not within a node lifetime after an outage, while the other nodes have not renewed their keys yet).
    /// </summary>
    private async Task HeartbeatAsync()
    {
        Interlocked.Exchange(ref _lastHeartbeat, Environment.TickCount64);
        if (_redis.Database("node heartbeat") is not { } db)
        {
            return;
        }

        try
        {
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(
                HeartbeatScript, [NodesKey], [_redis.NodeId, NodeKeyPrefix, (long)NodeLifetime.TotalMilliseconds]))!;
            var live = result.Select(r => (string)r!).ToHashSet(StringComparer.Ordinal);
            Volatile.Write(ref _liveNodes, live);
            foreach (var entry in _remoteAgents)
            {
                if (!IsLive(entry.Value))
                {
                    _remoteAgents.TryRemove(entry);
                }
            }

            var restoredAt = Interlocked.Read(ref _restoredAt);
            if (restoredAt != 0 && Environment.TickCount64 - restoredAt < NodeLifetime.TotalMilliseconds)
            {
                return;
            }

            var freed = (RedisResult[])(await db.ScriptEvaluateAsync(AgentsByLivenessScript, [AgentsKey], [NodeKeyPrefix, "0"]))!;
            var agentIds = freed.Select(r => (string)r!).Where(id => _registry.GatewayOfAgent(id) is null).ToArray();
            if (agentIds.Length > 0)
            {
                await _agents.SetStatusAsync(agentIds, "offline", CancellationToken.None);
                RedisLog.AgentsFreed(_logger, agentIds.Length);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _redis.CountFallback("node heartbeat", e);
        }
        catch (Npgsql.NpgsqlException e)
        {
            RedisLog.AgentsNotFreed(_logger, e);
        }
    }

    private async Task TrySubscribeAsync()
    {
        if (_subscription is not null || _redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return;
        }

        try
        {
            var queue = await multiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Pattern("agentim:*"));
            queue.OnMessage(Receive);
            _subscription = queue;
            await ResyncAgentsAsync();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            RedisLog.SubscribeFailed(_logger, e);
        }
    }

    /// <summary>
    /// Rebuilds the mirror of which node holds which agent and re-announces this node's agents (a Redis that
    /// restarted without persistence has forgotten them).
    /// </summary>
    private async Task ResyncAgentsAsync()
    {
        if (_redis.Database("agent directory") is not { } db)
        {
            Interlocked.Exchange(ref _resyncWanted, 1);
            return;
        }

        try
        {
            var entries = await db.HashGetAllAsync(AgentsKey);
            _remoteAgents.Clear();
            foreach (var entry in entries)
            {
                if (entry.Value != _redis.NodeId && _registry.GatewayOfAgent(entry.Name!) is null && IsLive(entry.Value!))
                {
                    _remoteAgents[entry.Name!] = entry.Value!;
                }
            }

            foreach (var agentId in _registry.BoundAgentIds())
            {
                AgentBound(agentId);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Interlocked.Exchange(ref _resyncWanted, 1);
            _redis.CountFallback("agent directory", e);
        }
    }

    private void Receive(ChannelMessage message)
    {
        var channel = message.Channel.ToString();
        if (FanOutEnvelope.Read((byte[])message.Message!) is not { } envelope)
        {
            RedisLog.PayloadDropped(_logger, channel);
            return;
        }

        if (envelope.Node == _redis.NodeId)
        {
            return;
        }

        _heardFrom[envelope.Node] = Environment.TickCount64;

        var frame = envelope.Frame.ToArray();
        if (channel.StartsWith(RoomChannelPrefix, StringComparison.Ordinal))
        {
            _registry.DeliverRoomFrameFromPeer(channel[RoomChannelPrefix.Length..], frame);
        }
        else if (channel == BroadcastChannel)
        {
            if (envelope.User is { } user)
            {
                _registry.DeliverToUserLocal(user, frame);
            }
            else
            {
                _registry.DeliverToAllClientsLocal(frame);
            }
        }
        else if (channel == GatewayChannel && envelope.Agent is { } agent)
        {
            _registry.DeliverToAgentLocal(agent, frame);
        }
        else if (channel == ControlChannel)
        {
            Control(envelope, frame);
        }
    }

    private void Control(FanOutEnvelope envelope, byte[] frame)
    {
        switch (envelope.Control)
        {
            case "disconnect" when envelope.User is { } user:
                if (SessionsClosedElsewhere is { } handler)
                {
                    handler(user, envelope.Session, envelope.At);
                }
                else
                {
                    _registry.CloseSessionsLocal(user, envelope.Session, frame);
                }

                break;
            case "evict" when envelope.User is { } user && envelope.Room is { } room:
                _registry.EvictFromRoomLocal(user, room);
                break;
            case "drop" when envelope.Room is { } room:
                _registry.DropRoomLocal(room);
                break;
            case "agent-up" when envelope.Agent is { } agent:
                _remoteAgents[agent] = envelope.Node;
                break;
            case "agent-down" when envelope.Agent is { } agent:
                _remoteAgents.TryRemove(new KeyValuePair<string, string>(agent, envelope.Node));
                break;
        }
    }

    private async Task IgnoreFailureAsync(Task task, string operation)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _redis.CountFallback(operation, e);
        }
    }
}
