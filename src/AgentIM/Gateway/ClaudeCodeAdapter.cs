using System.Collections.Concurrent;

namespace AgentIM.Gateway;

/// <summary>
/// Drives the Claude Code CLI in print mode with <c>--output-format stream-json</c> (gateway-cli.md §7.1): one run
/// per message, resumed per room with the session id the previous run reported (a resume that fails before any
/// output is retried once without it). Rooms run in parallel. Permission mode <c>bypassPermissions</c> with
/// <c>-y</c>, else <c>default</c>.
/// </summary>
public sealed class ClaudeCodeAdapter(GenericAdapterOptions process, bool bypassPermissions, SecretRedactor redactor) : IAgentAdapter
{
    private readonly ConcurrentDictionary<string, string> _sessions = new();

    public bool SupportsParallelRooms => true;

    public async Task<AdapterResult> RunAsync(AdapterRequest request, Func<AgentChunk, Task> onChunk, CancellationToken cancellationToken)
    {
        var session = _sessions.GetValueOrDefault(request.RoomId);
        var (result, parser) = await RunOnceAsync(request, session, onChunk, cancellationToken);
        if (result.Error is not null && session is not null && parser.Produced == 0 && !cancellationToken.IsCancellationRequested)
        {
            _sessions.TryRemove(request.RoomId, out _);
            (result, parser) = await RunOnceAsync(request, null, onChunk, cancellationToken);
        }

        if (parser.SessionId is { } id)
        {
            _sessions[request.RoomId] = id;
        }

        return result;
    }

    private async Task<(AdapterResult Result, ClaudeStreamParser Parser)> RunOnceAsync(
        AdapterRequest request, string? session, Func<AgentChunk, Task> onChunk, CancellationToken cancellationToken)
    {
        List<string> arguments =
        [
            .. process.Arguments,
            "-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages",
            "--permission-mode", bypassPermissions ? "bypassPermissions" : "default",
        ];
        if (session is not null)
        {
            arguments.Add("--resume");
            arguments.Add(session);
        }

        var parser = new ClaudeStreamParser();
        var run = new GenericAdapter(process with { Arguments = arguments, PromptOnStdin = true }, redactor, parser);
        return (await run.RunAsync(request, onChunk, cancellationToken), parser);
    }
}
