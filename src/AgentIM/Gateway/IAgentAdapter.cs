namespace AgentIM.Gateway;

/// <summary>One message for an adapter: the built prompt and where it runs.</summary>
public sealed record AdapterRequest(string Prompt, string RoomId, string? WorkingDirectory)
{
    /// <summary>Asks the room before a tool runs (interactive mode); null: nobody can be asked, so deny.</summary>
    public PermissionBridge? Permissions { get; init; }
}

/// <summary>How a reply ended: its full text, and the error when it failed (gateway-cli.md §6 steps 6–7).</summary>
public sealed record AdapterResult(string FullContent, string? Error)
{
    public static AdapterResult Failed(string partial, string error) => new(partial, error);
}

/// <summary>
/// Drives one kind of coding agent (gateway-cli.md §7). An adapter runs one message at a time per call, streams
/// its output through the callback (called one chunk at a time), and stops promptly when the token is cancelled.
/// </summary>
public interface IAgentAdapter
{
    /// <summary>True when rooms may run concurrently; otherwise the host runs one message at a time.</summary>
    public bool SupportsParallelRooms { get; }

    /// <summary>
    /// Ends whatever the adapter keeps running for the agent (long-lived processes); on the hub's stop and remove
    /// requests it also forgets the agent's sessions, on shutdown it keeps them. One-shot adapters have nothing to do.
    /// </summary>
    public Task StopAllAsync(bool forgetSessions) => Task.CompletedTask;

    public Task<AdapterResult> RunAsync(AdapterRequest request, Func<AgentChunk, Task> onChunk, CancellationToken cancellationToken);
}
