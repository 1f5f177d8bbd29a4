using System.Collections.Concurrent;

namespace AgentIM.Metrics;

/// <summary>
/// The hub's counters, kept as plain interlocked longs: incremented on hot paths, read only when scraped.
/// Gauges (connections, rooms, memory) are read from their owners at scrape time instead of being tracked here.
/// </summary>
public sealed class HubMetrics
{
    private const int MaxPendingResponses = 10_000;
    private static readonly long PendingResponseLifetimeMs = (long)TimeSpan.FromMinutes(10).TotalMilliseconds;

    private readonly ConcurrentDictionary<(string AgentId, string RoomId), long> _pendingResponses = new();
    private long _userMessages;
    private long _agentMessages;
    private long _wsMessagesIn;
    private long _wsMessagesOut;
    private long _apiErrors;
    private long _droppedGatewayFrames;
    private long _uploads;
    private long _uploadBytes;
    private long _uploadsRefused;
    private long _downloads;
    private long _downloadBytes;
    private long _wsDeadPeers;

    public DateTime StartedAt { get; } = DateTime.UtcNow;

    public Histogram AgentResponseDuration { get; } = new([0.1, 0.5, 1, 5, 10, 30, 60, 120]);

    public long UserMessages => Interlocked.Read(ref _userMessages);
    public long AgentMessages => Interlocked.Read(ref _agentMessages);
    public long WsMessagesIn => Interlocked.Read(ref _wsMessagesIn);
    public long WsMessagesOut => Interlocked.Read(ref _wsMessagesOut);
    public long ApiErrors => Interlocked.Read(ref _apiErrors);
    public long DroppedGatewayFrames => Interlocked.Read(ref _droppedGatewayFrames);
    public long Uploads => Interlocked.Read(ref _uploads);
    public long UploadBytes => Interlocked.Read(ref _uploadBytes);
    public long UploadsRefused => Interlocked.Read(ref _uploadsRefused);
    public long Downloads => Interlocked.Read(ref _downloads);
    public long DownloadBytes => Interlocked.Read(ref _downloadBytes);
    public long WsDeadPeers => Interlocked.Read(ref _wsDeadPeers);

    public void UserMessageStored() => Interlocked.Increment(ref _userMessages);
    public void AgentMessageStored() => Interlocked.Increment(ref _agentMessages);
    public void WsMessageIn() => Interlocked.Increment(ref _wsMessagesIn);
    public void WsMessagesSent(int count) => Interlocked.Add(ref _wsMessagesOut, count);
    public void ApiError() => Interlocked.Increment(ref _apiErrors);
    public void GatewayFrameDropped() => Interlocked.Increment(ref _droppedGatewayFrames);
    public void UploadRefused() => Interlocked.Increment(ref _uploadsRefused);

    public void UploadStored(long bytes)
    {
        Interlocked.Increment(ref _uploads);
        Interlocked.Add(ref _uploadBytes, bytes);
    }

    public void FileDownloaded(long bytes)
    {
        Interlocked.Increment(ref _downloads);
        Interlocked.Add(ref _downloadBytes, bytes);
    }

    /// <summary>A socket that ended without a close handshake: silent past the idle window, reset, or cut off for not reading.</summary>
    public void WsDeadPeer() => Interlocked.Increment(ref _wsDeadPeers);

    /// <summary>
    /// A <c>server:send_to_agent</c> is about to leave for the agent; the earliest unanswered one per (agent, room) is
    /// timed. Called before the send, because the gateway may answer before the sending thread runs again.
    /// </summary>
    public void AgentResponseStarted(string agentId, string roomId)
    {
        var now = Environment.TickCount64;
        if (_pendingResponses.Count >= MaxPendingResponses)
        {
            foreach (var (key, startedAt) in _pendingResponses)
            {
                if (now - startedAt > PendingResponseLifetimeMs)
                {
                    _pendingResponses.TryRemove(key, out _);
                }
            }

            if (_pendingResponses.Count >= MaxPendingResponses)
            {
                return;
            }
        }

        _pendingResponses.TryAdd((agentId, roomId), now);
    }

    /// <summary>The send did not go out after all (the agent is offline): nothing to time.</summary>
    public void AgentResponseAbandoned(string agentId, string roomId) => _pendingResponses.TryRemove((agentId, roomId), out _);

    /// <summary>The agent completed a reply in the room: observes the time since the send it answers, if any.</summary>
    public void AgentResponded(string agentId, string roomId)
    {
        if (_pendingResponses.TryRemove((agentId, roomId), out var startedAt))
        {
            AgentResponseDuration.Observe((Environment.TickCount64 - startedAt) / 1000.0);
        }
    }
}
