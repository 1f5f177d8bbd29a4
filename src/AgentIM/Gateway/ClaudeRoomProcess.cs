using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentIM.Infrastructure;
using static AgentIM.Gateway.JsonRead;

namespace AgentIM.Gateway;

/// <summary>
/// One long-lived <c>claude</c> process serving one room (gateway-cli.md §7.1), spoken to the way the Claude Agent
/// SDK speaks to it: user turns as <c>stream-json</c> lines on standard input, output as <c>stream-json</c> lines
/// on standard output, and the control protocol on both (<c>can_use_tool</c> requests from the CLI when
/// <c>--permission-prompt-tool stdio</c> is set, answered with <c>control_response</c> lines). One turn at a time;
/// a turn ends at the CLI's <c>result</c> line. Stopping a turn ends the whole process tree.
/// </summary>
public sealed class ClaudeRoomProcess
{

    private readonly Process _process;
    private readonly GenericAdapterOptions _options;
    private readonly SecretRedactor _redactor;
    private readonly TimeSpan _permissionTimeout;
    private readonly SemaphoreSlim _stdin = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CancellationTokenSource> _asks = [];
    private readonly HashSet<string> _alwaysAllowed = [];
    private readonly Task _stdout;
    private readonly Task _stderr;
    private Turn? _turn;
    private Task? _termination;

    private ClaudeRoomProcess(
        Process process, GenericAdapterOptions options, SecretRedactor redactor, TimeSpan permissionTimeout, string? resumedFrom)
    {
        _process = process;
        _options = options;
        _redactor = redactor;
        _permissionTimeout = permissionTimeout;
        ResumedFrom = resumedFrom;
        _stdout = ReadStdoutAsync();
        _stderr = ReadStderrAsync();
    }

    /// <summary>The session this process was started to resume, if any.</summary>
    public string? ResumedFrom { get; }

    /// <summary>The session the CLI last reported (resume with it next time).</summary>
    public string? SessionId { get; private set; }

    /// <summary>Turns started on this process.</summary>
    public int Turns { get; private set; }

    public int ProcessId => _process.Id;

    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>Starts the CLI for a room; the reason when it cannot be started.</summary>
    public static (ClaudeRoomProcess? Process, string? Error) Start(
        GenericAdapterOptions options, IReadOnlyList<string> arguments, string? workingDirectory, SecretRedactor redactor,
        TimeSpan permissionTimeout, string? resumedFrom)
    {
        var start = options.StartInfo(arguments, workingDirectory);

        try
        {
            var process = Process.Start(start) ?? throw new Win32Exception("not started");
            var room = new ClaudeRoomProcess(process, options, redactor, permissionTimeout, resumedFrom);
            room.Initialize();
            return (room, null);
        }
        catch (Win32Exception)
        {
            return (null, $"Command \"{options.Command}\" not found or not executable (is Claude Code installed and on PATH?)");
        }
    }

    /// <summary>Runs one user turn to its <c>result</c> line; a cancelled token ends the process (a real stop).</summary>
    public async Task<TurnResult> RunTurnAsync(AdapterRequest request, Func<AgentChunk, Task> onChunk, CancellationToken cancellationToken)
    {
        var turn = new Turn(request, onChunk);
        lock (_lock)
        {
            if (_turn is not null)
            {
                throw new InvalidOperationException("A turn is already running in this room's process");
            }

            _turn = turn;
            Turns++;
        }

        try
        {
            using var stop = cancellationToken.Register(() => Terminate(turn, "Stopped"));
            var message = new JsonObject
            {
                ["type"] = "user",
                ["message"] = new JsonObject { ["role"] = "user", ["content"] = request.Prompt },
                ["parent_tool_use_id"] = null,
                ["session_id"] = SessionId ?? "default",
            };
            if (!await WriteLineAsync(message))
            {
                Terminate(turn, "");
            }

            var watchdog = WatchAsync(turn);
            await Task.WhenAny(turn.Done.Task, EndedAsync(turn));
            var reason = turn.KillReason is { Length: > 0 } why ? why : "Claude Code exited";
            var result = turn.Done.Task.IsCompleted
                ? await turn.Done.Task
                : new TurnResult(AdapterResult.Failed(turn.Text.ToString(), reason), turn.Produced);
            await turn.Ended.CancelAsync();
            await watchdog;
            if (_termination is not null)
            {
                await _termination;
            }

            return result;
        }
        finally
        {
            lock (_lock)
            {
                _turn = null;
            }
        }
    }

    /// <summary>Ends the process tree (idle, stop, removal, shutdown).</summary>
    public Task TerminateAsync()
    {
        lock (_lock)
        {
            _termination ??= ProcessTree.TerminateAsync(_process, _options.KillGrace);
            return _termination;
        }
    }

    /// <summary>
    /// Completes when the process has exited and its output still has not ended 2 s later (a grandchild holding the
    /// pipe open); the turn is then over regardless.
    /// </summary>
    private async Task EndedAsync(Turn turn)
    {
        await _process.WaitForExitAsync(CancellationToken.None);
        await Task.WhenAny(turn.Done.Task, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
    }

    private void Initialize()
    {
        // The SDK opens every streaming session with this request; the CLI answers with its commands and models.
        var initialize = new JsonObject
        {
            ["type"] = "control_request",
            ["request_id"] = "init_" + Ids.New(8),
            ["request"] = new JsonObject { ["subtype"] = "initialize", ["hooks"] = null },
        };
        _ = WriteLineAsync(initialize);
    }

    private void Terminate(Turn turn, string reason)
    {
        turn.KillReason ??= reason;
        _ = TerminateAsync();
    }

    private async Task<bool> WriteLineAsync(JsonNode line)
    {
        await _stdin.WaitAsync(CancellationToken.None);
        try
        {
            await _process.StandardInput.WriteAsync(line.ToJsonString() + "\n");
            await _process.StandardInput.FlushAsync();
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
        finally
        {
            _stdin.Release();
        }
    }

    private async Task ReadStdoutAsync()
    {
        var reader = _process.StandardOutput;
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                line = null;
            }

            if (line is null)
            {
                break;
            }

            await HandleLineAsync(line);
        }

        await _process.WaitForExitAsync(CancellationToken.None);
        await _stderr;
        Turn? turn;
        lock (_lock)
        {
            turn = _turn;
        }

        // The process ended in the middle of a turn: a stop, a timeout, a crash or a failing resume.
        if (turn is not null)
        {
            var full = turn.Parser.FullContent ?? turn.Text.ToString();
            var error = turn.KillReason is { Length: > 0 } reason
                ? reason
                : $"Claude Code exited with code {_process.ExitCode} before finishing the reply";
            turn.Done.TrySetResult(new TurnResult(new AdapterResult(full, error), turn.Produced));
        }
    }

    private async Task HandleLineAsync(string line)
    {
        Turn? turn;
        lock (_lock)
        {
            turn = _turn;
        }

        turn?.Touch();
        if (turn is not null)
        {
            turn.Bytes += line.Length + 1;
            if (turn.Bytes > _options.MaxStdoutBytes)
            {
                Terminate(turn, "Response too large");
                return;
            }
        }

        JsonObject? message = null;
        if (line.StartsWith('{'))
        {
            try
            {
                message = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                message = null;
            }
        }

        switch (message is null ? null : Text(message, "type"))
        {
            case "control_request":
                OnControlRequest(message!, turn);
                return;
            case "control_cancel_request":
                lock (_lock)
                {
                    if (Text(message!, "request_id") is { } cancelled && _asks.TryGetValue(cancelled, out var ask))
                    {
                        ask.Cancel();
                    }
                }

                return;
            case "control_response":
                return;
        }

        if (message is not null && Text(message, "session_id") is { } session)
        {
            SessionId = session;
        }

        if (turn is null)
        {
            return;
        }

        foreach (var chunk in turn.Parser.Parse(line))
        {
            if (chunk.Type == AgentChunk.Text)
            {
                turn.Text.Append(chunk.Content);
            }

            await turn.EmitAsync(chunk);
        }

        if (message is not null && Text(message, "type") == "result")
        {
            var full = turn.Parser.FullContent ?? turn.Text.ToString();
            turn.Done.TrySetResult(new TurnResult(
                turn.Parser.Error is { } error ? AdapterResult.Failed(full, error) : new AdapterResult(full, null), turn.Produced));
        }
    }

    /// <summary>A <c>can_use_tool</c> request becomes a permission request in the room; others get an error reply.</summary>
    private void OnControlRequest(JsonObject message, Turn? turn)
    {
        var requestId = Text(message, "request_id") ?? "";
        var request = message["request"] as JsonObject;
        if (request is null || Text(request, "subtype") != "can_use_tool")
        {
            _ = WriteLineAsync(ControlError(requestId, "Unsupported control request"));
            return;
        }

        var toolName = Text(request, "tool_name") ?? "unknown";
        var input = request["input"] as JsonObject ?? [];
        _ = AnswerPermissionAsync(requestId, toolName, input, turn);
    }

    private async Task AnswerPermissionAsync(string requestId, string toolName, JsonObject input, Turn? turn)
    {
        PermissionAnswer answer;
        bool known;
        lock (_lock)
        {
            known = _alwaysAllowed.Contains(toolName);
        }

        if (known)
        {
            answer = new PermissionAnswer(PermissionDecision.Allow);
        }
        else if (turn?.Request.Permissions is not { } bridge)
        {
            answer = new PermissionAnswer(PermissionDecision.Deny, "No room to ask for permission");
        }
        else
        {
            using var cancel = new CancellationTokenSource();
            lock (_lock)
            {
                _asks[requestId] = cancel;
            }

            turn.PermissionAsked();
            try
            {
                answer = await bridge(new PermissionAsk(toolName, input, _permissionTimeout), cancel.Token);
            }
            finally
            {
                turn.PermissionAnswered();
                lock (_lock)
                {
                    _asks.Remove(requestId);
                }
            }

            if (answer.Decision == PermissionDecision.AllowAlways)
            {
                lock (_lock)
                {
                    _alwaysAllowed.Add(toolName);
                }
            }
        }

        var decision = answer.Allowed
            ? new JsonObject { ["behavior"] = "allow", ["updatedInput"] = input.DeepClone() }
            : new JsonObject { ["behavior"] = "deny", ["message"] = answer.Reason ?? "Permission denied by user" };
        await WriteLineAsync(new JsonObject
        {
            ["type"] = "control_response",
            ["response"] = new JsonObject { ["subtype"] = "success", ["request_id"] = requestId, ["response"] = decision },
        });
    }

    private static JsonObject ControlError(string requestId, string error) => new()
    {
        ["type"] = "control_response",
        ["response"] = new JsonObject { ["subtype"] = "error", ["request_id"] = requestId, ["error"] = error },
    };

    /// <summary>Standard error becomes error chunks of the running turn, a line at a time, secrets masked.</summary>
    private async Task ReadStderrAsync()
    {
        long total = 0;
        while (true)
        {
            string? line;
            try
            {
                line = await _process.StandardError.ReadLineAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                line = null;
            }

            if (line is null)
            {
                return;
            }

            total += line.Length + 1;
            Turn? turn;
            lock (_lock)
            {
                turn = _turn;
            }

            if (turn is null || total > _options.MaxStderrBytes || line.Trim().Length == 0)
            {
                continue;
            }

            turn.Touch();
            await turn.EmitAsync(new AgentChunk(AgentChunk.Error, _redactor.Redact(line + "\n")), isOutput: false);
        }
    }

    /// <summary>The inactivity and absolute timeouts of one turn; time spent waiting for a person does not count.</summary>
    private async Task WatchAsync(Turn turn)
    {
        try
        {
            while (true)
            {
                var idle = turn.WaitingForPermission > 0 ? TimeSpan.Zero : turn.SinceActivity;
                var idleLeft = _options.InactivityTimeout - idle;
                var totalLeft = _options.AbsoluteTimeout - turn.Elapsed;
                if (idleLeft <= TimeSpan.Zero)
                {
                    Terminate(turn, $"No output for {_options.InactivityTimeout.TotalSeconds:0} s: inactivity timeout");
                    return;
                }

                if (totalLeft <= TimeSpan.Zero)
                {
                    Terminate(turn, $"Ran longer than {_options.AbsoluteTimeout.TotalSeconds:0} s: absolute timeout");
                    return;
                }

                var wait = idleLeft < totalLeft ? idleLeft : totalLeft;
                await Task.Delay(wait < TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1), turn.Ended.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The turn ended first.
        }
    }

    /// <summary>How a turn ended, and how much it produced (a resume that fails before any output is retried).</summary>
    public sealed record TurnResult(AdapterResult Result, int Produced);

    /// <summary>The state of the running turn: its parser, text so far, activity for the watchdog.</summary>
    private sealed class Turn(AdapterRequest request, Func<AgentChunk, Task> onChunk)
    {
        private readonly SemaphoreSlim _emit = new(1, 1);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _lastActivityTicks;
        private int _waiting;

        public AdapterRequest Request { get; } = request;

        public ClaudeStreamParser Parser { get; } = new();

        public StringBuilder Text { get; } = new();

        public TaskCompletionSource<TurnResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenSource Ended { get; } = new();

        public string? KillReason { get; set; }

        public long Bytes { get; set; }

        public int Produced { get; private set; }

        /// <summary>Permission requests waiting for a person (the inactivity clock stands still meanwhile).</summary>
        public int WaitingForPermission => Volatile.Read(ref _waiting);

        public TimeSpan Elapsed => _clock.Elapsed;

        public TimeSpan SinceActivity => _clock.Elapsed - TimeSpan.FromTicks(Interlocked.Read(ref _lastActivityTicks));

        public void Touch() => Interlocked.Exchange(ref _lastActivityTicks, _clock.Elapsed.Ticks);

        public void PermissionAsked() => Interlocked.Increment(ref _waiting);

        public void PermissionAnswered()
        {
            Interlocked.Decrement(ref _waiting);
            Touch();
        }

        /// <summary>Sends a chunk; stderr lines are not <paramref name="isOutput"/> (a failed resume may still be retried).</summary>
        public async Task EmitAsync(AgentChunk chunk, bool isOutput = true)
        {
            if (chunk.Content.Length == 0 && chunk.Metadata is null)
            {
                return;
            }

            await _emit.WaitAsync(CancellationToken.None);
            try
            {
                if (isOutput)
                {
                    Produced++;
                }

                if (chunk.Content.Length <= GatewayFrames.MaxChunkContent)
                {
                    await onChunk(chunk);
                    return;
                }

                for (var offset = 0; offset < chunk.Content.Length; offset += GatewayFrames.MaxChunkContent)
                {
                    var length = Math.Min(GatewayFrames.MaxChunkContent, chunk.Content.Length - offset);
                    await onChunk(chunk with { Content = chunk.Content.Substring(offset, length) });
                }
            }
            finally
            {
                _emit.Release();
            }
        }
    }
}
