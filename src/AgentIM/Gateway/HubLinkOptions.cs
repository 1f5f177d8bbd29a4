namespace AgentIM.Gateway;

/// <summary>Timers and bounds of the hub link (gateway-cli.md §4.3–4.4); tests shorten them.</summary>
public sealed record HubLinkOptions
{
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a gateway whose session was revoked looks for new tokens.</summary>
    public TimeSpan RevokedRetry { get; init; } = TimeSpan.FromSeconds(30);

    public int QueueCapacity { get; init; } = 1000;

    /// <summary>Wrapper mode: a one-agent gateway that tells the hub it is ephemeral.</summary>
    public bool Ephemeral { get; init; }

    /// <summary>Delay before reconnect <paramref name="attempt"/> (0-based): ×1.5 each time, capped, plus jitter in [0, delay).</summary>
    public TimeSpan BackOff(int attempt)
    {
        var delay = Math.Min(ReconnectDelay.TotalMilliseconds * Math.Pow(1.5, Math.Min(attempt, 30)), MaxReconnectDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay + (Random.Shared.NextDouble() * delay));
    }
}
