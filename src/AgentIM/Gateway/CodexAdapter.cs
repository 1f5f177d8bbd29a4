using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace AgentIM.Gateway;

/// <summary>
/// Drives Codex through <c>codex app-server</c> (gateway-cli.md §7.2): one long-lived process per agent, started on the
/// first message and again after it ends; one thread per room, started with <c>thread/start</c> and kept across
/// turns (resumed with <c>thread/resume</c> when the process was restarted, so a stop or a crash does not lose
/// the conversation). Rooms run in parallel. With <c>-y</c> the approval policy is <c>never</c>, else
/// <c>on-request</c> and approvals go to the room.
/// </summary>
public sealed class CodexAdapter(GenericAdapterOptions process, bool bypassPermissions, SecretRedactor redactor)
    : IAgentAdapter, IAsyncDisposable
{
    /// <summary>How long the room has to answer an approval; the real gateway asks for 5 minutes.</summary>
    private static readonly TimeSpan PermissionTimeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, string> _threads = new();
    private readonly ConcurrentDictionary<string, bool> _alwaysAllowed = new();
    private readonly SemaphoreSlim _start = new(1, 1);
    private readonly ConcurrentDictionary<Task<AdapterResult>, byte> _turns = new();
    private CodexAppServer? _server;

    public bool SupportsParallelRooms => true;

    /// <summary>The running app-server process, if any (tests look at it).</summary>
    public int? ProcessId => _server is { Exited.IsCompleted: false } server ? server.ProcessId : null;

    /// <summary>The thread a room's turns run on.</summary>
    public string? ThreadOf(string roomId) => _threads.GetValueOrDefault(roomId);

    public async Task<AdapterResult> RunAsync(AdapterRequest request, Func<AgentChunk, Task> onChunk, CancellationToken cancellationToken)
    {
        CodexAppServer server;
        string threadId;
        try
        {
            server = await ServerAsync(request.WorkingDirectory, cancellationToken);
            threadId = await ThreadAsync(server, request, cancellationToken);
        }
        catch (CodexException e)
        {
            return AdapterResult.Failed("", e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return AdapterResult.Failed("", "Stopped");
        }

        var context = new CodexTurnContext(request, process, onChunk, (tool, input, ct) => DecideAsync(request, tool, input, ct));
        var turn = new CodexTurn(server, threadId, context).RunAsync(cancellationToken);
        _turns[turn] = 0;
        try
        {
            return await turn;
        }
        finally
        {
            _turns.TryRemove(turn, out _);
        }
    }

    /// <summary>
    /// Ends the app-server process (the hub's stop or remove, or shutdown); the next message starts a new one. The
    /// rooms' threads are kept even when asked to forget sessions: Codex, unlike Claude Code, keeps its conversation.
    /// </summary>
    public async Task StopAllAsync(bool forgetSessions)
    {
        // A stop cancels the running turns just before this: let them end with turn/interrupt (each bounded by the kill
        // grace) so their replies complete with what was said, then end the server.
        Task[] turns = [.. _turns.Keys];
        if (turns.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(turns), Task.Delay(process.KillGrace + TimeSpan.FromSeconds(1), CancellationToken.None));
        }

        await _start.WaitAsync(CancellationToken.None);
        try
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
                _server = null;
            }
        }
        finally
        {
            _start.Release();
        }
    }

    public async ValueTask DisposeAsync() => await StopAllAsync(forgetSessions: false);

    /// <summary>The running server, or a new one after the handshake (the old one ended or never started).</summary>
    private async Task<CodexAppServer> ServerAsync(string? workingDirectory, CancellationToken cancellationToken)
    {
        await _start.WaitAsync(cancellationToken);
        try
        {
            if (_server is { Exited.IsCompleted: false } running)
            {
                return running;
            }

            if (_server is not null)
            {
                await _server.DisposeAsync();
                _server = null;
            }

            var server = CodexAppServer.Start(process, workingDirectory, redactor);
            try
            {
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                handshake.CancelAfter(process.InactivityTimeout);
                await server.InitializeAsync(handshake.Token);
            }
            catch (Exception e) when (e is CodexException or OperationCanceledException)
            {
                await server.DisposeAsync();
                cancellationToken.ThrowIfCancellationRequested();
                throw new CodexException(e is CodexException ? e.Message : "codex app-server did not answer initialize");
            }

            _server = server;
            return server;
        }
        finally
        {
            _start.Release();
        }
    }

    /// <summary>The room's thread: the one it had (resumed if this process does not know it yet), else a new one.</summary>
    private async Task<string> ThreadAsync(CodexAppServer server, AdapterRequest request, CancellationToken cancellationToken)
    {
        var settings = new JsonObject { ["approvalPolicy"] = bypassPermissions ? "never" : "on-request" };
        if (request.WorkingDirectory is not null)
        {
            settings["cwd"] = request.WorkingDirectory;
        }

        if (_threads.TryGetValue(request.RoomId, out var known))
        {
            if (server.IsLoaded(known))
            {
                return known;
            }

            try
            {
                var resume = (JsonObject)settings.DeepClone();
                resume["threadId"] = known;
                await server.CallAsync("thread/resume", resume, cancellationToken);
                server.MarkLoaded(known);
                return known;
            }
            catch (CodexException) when (!server.Exited.IsCompleted)
            {
                // The server no longer has that thread: the room starts a new one.
                _threads.TryRemove(request.RoomId, out _);
            }
        }

        var started = await server.CallAsync("thread/start", settings, cancellationToken);
        if (started?["thread"]?["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var threadId))
        {
            throw new CodexException("codex app-server started a thread without an id");
        }

        server.MarkLoaded(threadId);
        _threads[request.RoomId] = threadId;
        return threadId;
    }

    /// <summary>Bypass allows everything; an "allow always" holds for the room's later requests of that tool.</summary>
    private async Task<PermissionAnswer> DecideAsync(
        AdapterRequest request, string toolName, JsonObject toolInput, CancellationToken cancellationToken)
    {
        var key = request.RoomId + "\n" + toolName;
        if (bypassPermissions || _alwaysAllowed.ContainsKey(key))
        {
            return new PermissionAnswer(PermissionDecision.Allow);
        }

        if (request.Permissions is null)
        {
            return new PermissionAnswer(PermissionDecision.Deny, "Nobody can be asked");
        }

        var answer = await request.Permissions(new PermissionAsk(toolName, toolInput, PermissionTimeout), cancellationToken);
        if (answer.Decision == PermissionDecision.AllowAlways)
        {
            _alwaysAllowed[key] = true;
        }

        return answer;
    }
}
