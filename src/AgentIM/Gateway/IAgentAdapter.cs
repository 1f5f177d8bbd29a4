namespace AgentIM.Gateway;

/// <summary>One message for an adapter: the built prompt and where it runs.</summary>
public sealed record AdapterRequest(string Prompt, string RoomId, string? WorkingDirectory)
{
    /// <summary>Asks the room to approve a tool use (gateway-cli.md §6.1); null when nobody can be asked (then deny).</summary>
    public PermissionAsk? AskPermission { get; init; }
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

    public Task<AdapterResult> RunAsync(AdapterRequest request, Func<AgentChunk, Task> onChunk, CancellationToken cancellationToken);
}
