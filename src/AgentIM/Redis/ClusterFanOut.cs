using System.Collections.Concurrent;
using System.Threading.Channels;
using AgentIM.Realtime;
using StackExchange.Redis;

namespace AgentIM.Redis;

/// <summary>
/// Multi-node fan-out over Redis pub/sub (websocket.md §14). Every node pattern-subscribes to <c>agentim:*</c>
/// once (the client re-subscribes by itself after an outage, so a frame is never delivered twice) and hands what
/// other nodes publish to <see cref="ConnectionRegistry"/>'s local delivery. Publications go through one queue
/// and one writer, so this node's frames reach the others in the order they were sent. Which node holds an agent
/// is kept in the hash <c>agentim:agents</c> and mirrored here. Channel and key names are stable.
/// </summary>
public sealed class ClusterFanOut : IClusterFanOut, IAsyncDisposable
{
    public const string RoomChannelPrefix = "agentim:room:";
    public const string BroadcastChannel = "agentim:broadcast";
    public const string GatewayChannel = "agentim:gateway";
    public const string ControlChannel = "agentim:control";
    public const string AgentsKey = "agentim:agents";

    private const int OutboxCapacity = 50_000;

    // Removes the agent's entry only if this node still owns it (a newer binding elsewhere wins).
    private const string UnbindScript = """
        if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
            return redis.call('HDEL', KEYS[1], ARGV[1])
        end
        return 0
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

    public ClusterFanOut(RedisConnection redis, ConnectionRegistry registry, ILogger<ClusterFanOut> logger)
    {
        _redis = redis;
        _registry = registry;
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
        _redis.Restored += () => Interlocked.Exchange(ref _resyncWanted, 1);
        _pump = PumpAsync();
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
        if (!_redis.IsAvailable || !_remoteAgents.ContainsKey(agentId))
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
                if (entry.Value != _redis.NodeId && _registry.GatewayOfAgent(entry.Name!) is null)
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
