using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;

namespace AgentIM.Realtime;

/// <summary>
/// Who is connected on this node: client sockets by user and by joined room, gateway sockets, and which gateway
/// socket hosts each agent. Lookups on the broadcast path read immutable arrays; only joins, leaves and
/// connects take the lock and swap the arrays.
/// The public Send*, CloseSessions and EvictFromRoom deliver on this node and, with Redis, hand the same bytes to
/// <see cref="FanOut"/> for the other nodes; the Deliver*Local methods are what a frame from another node reaches.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ClientConnection[]> _byUser = [];
    private readonly Dictionary<string, ClientConnection[]> _byRoom = [];
    private readonly ConcurrentDictionary<long, GatewayConnection> _gateways = new();
    private readonly ConcurrentDictionary<string, GatewayConnection> _agents = new();
    private readonly StreamReplay _streams = new();
    private int _clientCount;

    /// <summary>The other hub nodes; null in single-node mode (no <c>REDIS_URL</c>).</summary>
    public IClusterFanOut? FanOut { get; set; }

    public int ClientCount => Volatile.Read(ref _clientCount);
    public int GatewayCount => _gateways.Count;
    public int AgentCount => _agents.Count;

    public int OnlineUserCount
    {
        get
        {
            lock (_gate)
            {
                return _byUser.Count;
            }
        }
    }

    public int ActiveRoomCount
    {
        get
        {
            lock (_gate)
            {
                return _byRoom.Count;
            }
        }
    }

    /// <summary>Adds an authenticated client socket; true when it is the user's first on this node.</summary>
    public bool AddClient(ClientConnection connection)
    {
        lock (_gate)
        {
            _clientCount++;
            return Add(_byUser, connection.UserId!, connection);
        }
    }

    /// <summary>Forgets a client socket and its room subscriptions; true when it was the user's last on this node.</summary>
    public bool RemoveClient(ClientConnection connection)
    {
        lock (_gate)
        {
            foreach (var room in connection.RoomsSnapshot())
            {
                Remove(_byRoom, room, connection);
            }

            if (connection.UserId is null || !_byUser.TryGetValue(connection.UserId, out var sockets) || !sockets.Contains(connection))
            {
                return false;
            }

            _clientCount--;
            Remove(_byUser, connection.UserId, connection);
            return !_byUser.ContainsKey(connection.UserId);
        }
    }

    public int CountClients(string userId)
    {
        lock (_gate)
        {
            return _byUser.TryGetValue(userId, out var sockets) ? sockets.Length : 0;
        }
    }

    public void Join(ClientConnection connection, string roomId)
    {
        lock (_gate)
        {
            if (connection.AddRoom(roomId))
            {
                Add(_byRoom, roomId, connection);
            }
        }
    }

    public void Leave(ClientConnection connection, string roomId)
    {
        lock (_gate)
        {
            if (connection.RemoveRoom(roomId))
            {
                Remove(_byRoom, roomId, connection);
            }
        }
    }

    /// <summary>Drops a user's subscriptions to a room on every socket (removed from the room, or the room deleted).</summary>
    public void EvictFromRoom(string userId, string roomId)
    {
        EvictFromRoomLocal(userId, roomId);
        FanOut?.PublishEviction(userId, roomId);
    }

    public void EvictFromRoomLocal(string userId, string roomId)
    {
        foreach (var connection in ClientsOf(userId))
        {
            Leave(connection, roomId);
        }
    }

    public void DropRoom(string roomId)
    {
        DropRoomLocal(roomId);
        FanOut?.PublishRoomDropped(roomId);
    }

    public void DropRoomLocal(string roomId)
    {
        foreach (var connection in RoomSubscribers(roomId))
        {
            Leave(connection, roomId);
        }

        lock (_gate)
        {
            _streams.RemoveWhere(s => s.RoomId == roomId);
        }
    }

    /// <summary>
    /// Joins a room and, in the same step, replays to this socket the chunks so far of every reply still streaming
    /// there (reconnect recovery). Chunks are recorded under the same lock, so each reaches the socket exactly once:
    /// in the replay or live. False when the socket had already joined (nothing is replayed twice).
    /// </summary>
    public bool JoinWithReplay(ClientConnection connection, string roomId)
    {
        lock (_gate)
        {
            if (!connection.AddRoom(roomId))
            {
                return false;
            }

            Add(_byRoom, roomId, connection);
            foreach (var frame in _streams.Snapshot(roomId))
            {
                connection.Send(frame);
            }

            return true;
        }
    }

    /// <summary>
    /// Broadcasts a <c>server:message_chunk</c> frame and records it for sockets that join later. Every chunk of a
    /// room goes through here, whichever node it came from, so the replay buffer sees what the room saw.
    /// </summary>
    public void SendChunkToRoom(string roomId, string messageId, string agentId, string agentName, byte[] frame, string? text)
    {
        DeliverChunkLocal(roomId, messageId, agentId, agentName, frame, text);
        FanOut?.PublishToRoom(roomId, frame);
    }

    private void DeliverChunkLocal(string roomId, string messageId, string agentId, string agentName, byte[] frame, string? text)
    {
        ClientConnection[] subscribers;
        lock (_gate)
        {
            _streams.Append(roomId, messageId, agentId, agentName, frame, text);
            subscribers = _byRoom.TryGetValue(roomId, out var sockets) ? sockets : [];
        }

        foreach (var connection in subscribers)
        {
            connection.Send(frame);
        }
    }

    /// <summary>Broadcasts the frame that ends a stream (its completion) and stops replaying the stream.</summary>
    public void SendStreamEndToRoom(string roomId, string messageId, byte[] frame)
    {
        DeliverStreamEndLocal(roomId, messageId, frame);
        FanOut?.PublishToRoom(roomId, frame);
    }

    private void DeliverStreamEndLocal(string roomId, string messageId, byte[] frame)
    {
        ClientConnection[] subscribers;
        lock (_gate)
        {
            _streams.Remove(roomId, messageId);
            subscribers = _byRoom.TryGetValue(roomId, out var sockets) ? sockets : [];
        }

        foreach (var connection in subscribers)
        {
            connection.Send(frame);
        }
    }

    /// <summary>Stops replaying a stream (it failed); returns what was buffered, or null.</summary>
    public ReplayStream? EndStream(string roomId, string messageId)
    {
        lock (_gate)
        {
            return _streams.Remove(roomId, messageId);
        }
    }

    /// <summary>Stops replaying, and returns, every stream that matches (an agent gone, the hub stopping).</summary>
    public List<ReplayStream> EndStreams(Func<ReplayStream, bool> match)
    {
        lock (_gate)
        {
            return _streams.RemoveWhere(match);
        }
    }

    /// <summary>Replies streaming now and the bytes of frames kept to replay them (reconnect recovery).</summary>
    public (int Streams, long Bytes) ReplayUsage
    {
        get
        {
            lock (_gate)
            {
                return (_streams.StreamCount, _streams.TotalBytes);
            }
        }
    }

    public ClientConnection[] ClientsOf(string userId)
    {
        lock (_gate)
        {
            return _byUser.TryGetValue(userId, out var sockets) ? sockets : [];
        }
    }

    public ClientConnection[] RoomSubscribers(string roomId)
    {
        lock (_gate)
        {
            return _byRoom.TryGetValue(roomId, out var sockets) ? sockets : [];
        }
    }

    public ClientConnection[] AllClients()
    {
        lock (_gate)
        {
            return _byUser.Values.SelectMany(s => s).ToArray();
        }
    }

    /// <summary>Sends one serialized frame to every socket joined to the room, optionally skipping one.</summary>
    public void SendToRoom(string roomId, byte[] frame, SocketConnection? except = null)
    {
        DeliverToRoomLocal(roomId, frame, except);
        FanOut?.PublishToRoom(roomId, frame);
    }

    /// <summary>
    /// A room frame another node sent: chunks and completions also feed this node's replay buffer, so a tab that
    /// reconnects to this node gets the replies still streaming wherever their gateway is.
    /// </summary>
    public void DeliverRoomFrameFromPeer(string roomId, byte[] frame)
    {
        var span = frame.AsSpan();
        if (span.StartsWith("{\"type\":\"server:message_chunk\""u8) || span.StartsWith("{\"type\":\"server:message_complete\""u8))
        {
            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            if (root.TryGetProperty("chunk", out var chunk))
            {
                var text = chunk.GetProperty("type").ValueEquals("text"u8) ? chunk.GetProperty("content").GetString() : null;
                DeliverChunkLocal(
                    roomId, root.GetProperty("messageId").GetString()!, root.GetProperty("agentId").GetString()!,
                    root.GetProperty("agentName").GetString()!, frame, text);
            }
            else
            {
                DeliverStreamEndLocal(roomId, root.GetProperty("message").GetProperty("id").GetString()!, frame);
            }

            return;
        }

        DeliverToRoomLocal(roomId, frame);
    }

    /// <summary>Delivers to this node's sockets in the room only.</summary>
    public void DeliverToRoomLocal(string roomId, byte[] frame, SocketConnection? except = null)
    {
        foreach (var connection in RoomSubscribers(roomId))
        {
            if (!ReferenceEquals(connection, except))
            {
                connection.Send(frame);
            }
        }
    }

    public void SendToUser(string userId, byte[] frame)
    {
        DeliverToUserLocal(userId, frame);
        FanOut?.PublishToUser(userId, frame);
    }

    public void DeliverToUserLocal(string userId, byte[] frame)
    {
        foreach (var connection in ClientsOf(userId))
        {
            connection.Send(frame);
        }
    }

    public void SendToAllClients(byte[] frame)
    {
        DeliverToAllClientsLocal(frame);
        FanOut?.PublishToAllClients(frame);
    }

    public void DeliverToAllClientsLocal(byte[] frame)
    {
        foreach (var connection in AllClients())
        {
            connection.Send(frame);
        }
    }

    public void AddGateway(GatewayConnection connection) => _gateways[connection.Id] = connection;

    public void RemoveGateway(GatewayConnection connection)
    {
        _gateways.TryRemove(connection.Id, out _);
        foreach (var agentId in connection.Agents.Keys)
        {
            if (_agents.TryRemove(new KeyValuePair<string, GatewayConnection>(agentId, connection)))
            {
                FanOut?.AgentUnbound(agentId);
            }
        }
    }

    public int CountGateways(string userId) => _gateways.Values.Count(g => g.UserId == userId);

    public GatewayConnection[] GatewaysOf(string userId) => _gateways.Values.Where(g => g.UserId == userId).ToArray();

    /// <summary>Binds an agent to the gateway socket that registered it; a previous binding elsewhere is replaced.</summary>
    public GatewayConnection? BindAgent(string agentId, GatewayConnection connection)
    {
        GatewayConnection? previous = null;
        _agents.AddOrUpdate(agentId, connection, (_, old) =>
        {
            previous = ReferenceEquals(old, connection) ? null : old;
            return connection;
        });
        FanOut?.AgentBound(agentId);
        return previous;
    }

    public bool UnbindAgent(string agentId, GatewayConnection connection)
    {
        if (!_agents.TryRemove(new KeyValuePair<string, GatewayConnection>(agentId, connection)))
        {
            return false;
        }

        FanOut?.AgentUnbound(agentId);
        return true;
    }

    public GatewayConnection? GatewayOfAgent(string agentId) => _agents.GetValueOrDefault(agentId);

    public string[] BoundAgentIds() => _agents.Keys.ToArray();

    /// <summary>Sends to the gateway holding the agent, on this node or (with Redis) another; false when none holds it.</summary>
    public bool SendToAgent(string agentId, byte[] frame) =>
        _agents.TryGetValue(agentId, out var gateway) ? gateway.Send(frame) : FanOut?.PublishToAgent(agentId, frame) ?? false;

    public bool DeliverToAgentLocal(string agentId, byte[] frame) => _agents.TryGetValue(agentId, out var gateway) && gateway.Send(frame);

    /// <summary>Closes every socket of a user, or of one of its sessions, with 1008 "Session revoked" (websocket.md §11).</summary>
    public void CloseSessions(string userId, string? sessionId, byte[] clientNotice)
    {
        CloseSessionsLocal(userId, sessionId, clientNotice);
        FanOut?.PublishCloseSessions(userId, sessionId, clientNotice);
    }

    /// <summary>Closes this node's matching sockets; a socket already closing is left alone (no second notice).</summary>
    public void CloseSessionsLocal(string userId, string? sessionId, byte[] clientNotice)
    {
        foreach (var connection in ClientsOf(userId))
        {
            if (sessionId is null || connection.SessionId == sessionId)
            {
                connection.Send(clientNotice);
                connection.Close(WebSocketCloseStatus.PolicyViolation, "Session revoked");
            }
        }

        foreach (var gateway in GatewaysOf(userId))
        {
            if (sessionId is null || gateway.SessionId == sessionId)
            {
                gateway.Close(WebSocketCloseStatus.PolicyViolation, "Session revoked");
            }
        }
    }

    private static bool Add(Dictionary<string, ClientConnection[]> map, string key, ClientConnection connection)
    {
        if (!map.TryGetValue(key, out var existing))
        {
            map[key] = [connection];
            return true;
        }

        map[key] = [.. existing, connection];
        return false;
    }

    private static void Remove(Dictionary<string, ClientConnection[]> map, string key, ClientConnection connection)
    {
        if (!map.TryGetValue(key, out var existing))
        {
            return;
        }

        var remaining = existing.Where(c => !ReferenceEquals(c, connection)).ToArray();
        if (remaining.Length == 0)
        {
            map.Remove(key);
        }
        else
        {
            map[key] = remaining;
        }
    }
}
