namespace AgentIM.Realtime;

/// <summary>
/// Graceful stop of the realtime side (websocket.md §5, issue #4). When the host begins to stop: new upgrades are
/// refused, replies still streaming are ended with an error chunk and a stored message, and only then are sockets
/// told SERVER_SHUTDOWN and closed with 1001. Ending the streams is bounded so the whole stop stays within 10 s.
/// </summary>
public sealed class RealtimeShutdown(ConnectionRegistry registry, InterruptedStreams interrupted, ILogger<RealtimeShutdown> logger)
{
    private static readonly TimeSpan StreamsDeadline = TimeSpan.FromSeconds(4);

    private readonly CancellationTokenSource _stopping = new();
    private int _begun;

    /// <summary>Cancelled once in-flight streams were ended: the sockets close on it.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public bool IsStopping => Volatile.Read(ref _begun) == 1;

    public void Begin()
    {
        if (Interlocked.Exchange(ref _begun, 1) == 0)
        {
            _ = EndStreamsThenCloseAsync();
        }
    }

    private async Task EndStreamsThenCloseAsync()
    {
        try
        {
            using var deadline = new CancellationTokenSource(StreamsDeadline);
            // Only replies whose gateway is on this node end here; replies relayed from other nodes go on there.
            var ours = registry.EndStreams(s => registry.GatewayOfAgent(s.AgentId) is not null);
            await interrupted.EndAsync(ours, InterruptedStreams.HubStopping, deadline.Token);
        }
        catch (Exception e)
        {
            RealtimeLog.ShutdownStreamsFailed(logger, e);
        }
        finally
        {
            await _stopping.CancelAsync();
        }
    }
}
