using System.Collections.Concurrent;

namespace AgentIM.Gateway;

/// <summary>
/// Drives the Gemini CLI in headless mode with <c>--output-format stream-json</c> (gateway-cli.md §7.3): one run per
/// message with the prompt on standard input, resumed per room with the session id the previous run's <c>init</c>
/// event reported (a resume that fails before any output is retried once without it). Rooms run in parallel.
/// Approval mode <c>yolo</c> with <c>-y</c>, else <c>default</c>.
/// </summary>
public sealed class GeminiAdapter(GenericAdapterOptions process, bool bypassPermissions, SecretRedactor redactor) : IAgentAdapter
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

        // The CLI's documented exit codes say more than the number (headless mode: 42 input error, 53 turn limit).
        return result.Error switch
        {
            "Process exited with code 42" => result with { Error = "Gemini refused the input (exit code 42)" },
            "Process exited with code 53" => result with { Error = "Gemini reached its turn limit for this session (exit code 53)" },
            _ => result,
        };
    }

    private async Task<(AdapterResult Result, GeminiStreamParser Parser)> RunOnceAsync(
        AdapterRequest request, string? session, Func<AgentChunk, Task> onChunk, CancellationToken cancellationToken)
    {
        List<string> arguments =
        [
            .. process.Arguments,
            "--output-format", "stream-json",
            "--approval-mode", bypassPermissions ? "yolo" : "default",
        ];
        if (session is not null)
        {
            arguments.Add("--resume");
            arguments.Add(session);
        }

        var parser = new GeminiStreamParser();
        var run = new GenericAdapter(process with { Arguments = arguments, PromptOnStdin = true }, redactor, parser);
        return (await run.RunAsync(request, onChunk, cancellationToken), parser);
    }
}
