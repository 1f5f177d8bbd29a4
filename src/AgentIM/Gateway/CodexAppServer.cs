using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using static AgentIM.Gateway.JsonRead;

namespace AgentIM.Gateway;

/// <summary>A failure talking to <c>codex app-server</c>: a JSON-RPC error answer, or the process gone.</summary>
public sealed class CodexException(string message) : Exception(message);

/// <summary>
/// One <c>codex app-server</c> process and the JSON-RPC 2.0 it speaks on stdio (gateway-cli.md §7.2): one JSON object
/// per line, without the <c>"jsonrpc"</c> member. Calls are matched to answers by id; notifications and the server's
/// own requests (approvals) go to whoever listens on their thread. Started without a shell, with the filtered
/// environment; when the process ends every pending call fails and every listener's channel completes.
/// </summary>
public sealed class CodexAppServer : IAsyncDisposable
{
    private const int StderrTailLines = 20;

    private readonly Process _process;
    private readonly GenericAdapterOptions _options;
    private readonly SecretRedactor _redactor;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonNode?>> _calls = new();
    private readonly ConcurrentDictionary<string, Channel<JsonObject>> _listeners = new();
    private readonly ConcurrentDictionary<string, bool> _loadedThreads = new();
    private readonly Queue<string> _stderrTail = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _stderr;
    private readonly Task _readers;
    private string? _exitReason;
    private long _nextId;
    private int _disposed;

    private CodexAppServer(Process process, GenericAdapterOptions options, SecretRedactor redactor)
    {
        _process = process;
        ProcessId = process.Id;
        _options = options;
        _redactor = redactor;
        _stderr = ReadStderrAsync();
        _readers = Task.WhenAll(ReadStdoutAsync(), _stderr);
    }

    /// <summary>Completes when the process has ended and its output is read.</summary>
    public Task Exited => _exited.Task;

    /// <summary>Why the process ended, for the reply it broke (secrets masked).</summary>
    public string ExitReason => _exitReason ?? "codex app-server ended";

    public int ProcessId { get; }

    /// <summary>Starts the process in <paramref name="workingDirectory"/>; a missing binary is a <see cref="CodexException"/>.</summary>
    public static CodexAppServer Start(GenericAdapterOptions options, string? workingDirectory, SecretRedactor redactor)
    {
        var start = options.StartInfo(options.Arguments, workingDirectory);

        try
        {
            var process = Process.Start(start) ?? throw new Win32Exception("not started");
            return new CodexAppServer(process, options, redactor);
        }
        catch (Win32Exception)
        {
            throw new CodexException($"Command \"{options.Command}\" not found or not executable (is Codex installed and on PATH?)");
        }
    }

    /// <summary>The handshake: <c>initialize</c> with our client info, then the <c>initialized</c> notification.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var clientInfo = new JsonObject
        {
            ["name"] = "agentim",
            ["title"] = "AgentIM gateway",
            ["version"] = typeof(CodexAppServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
        };
        await CallAsync("initialize", new JsonObject { ["clientInfo"] = clientInfo }, cancellationToken);
        await NotifyAsync("initialized", null);
    }

    public bool IsLoaded(string threadId) => _loadedThreads.ContainsKey(threadId);

    public void MarkLoaded(string threadId) => _loadedThreads[threadId] = true;

    /// <summary>Sends a request and waits for its answer; an error answer or the process ending throws.</summary>
    public async Task<JsonNode?> CallAsync(string method, JsonObject? parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[id] = answer;
        try
        {
            if (Exited.IsCompleted)
            {
                throw new CodexException(ExitReason);
            }

            var request = new JsonObject { ["id"] = id, ["method"] = method };
            if (parameters is not null)
            {
                request["params"] = parameters;
            }

            await WriteAsync(request);
            return await answer.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _calls.TryRemove(id, out _);
        }
    }

    public Task NotifyAsync(string method, JsonObject? parameters)
    {
        var notification = new JsonObject { ["method"] = method };
        if (parameters is not null)
        {
            notification["params"] = parameters;
        }

        return WriteAsync(notification);
    }

    /// <summary>Answers one of the server's requests (an approval) with a result.</summary>
    public Task RespondAsync(JsonNode id, JsonObject result) =>
        WriteAsync(new JsonObject { ["id"] = id.DeepClone(), ["result"] = result });

    /// <summary>Answers one of the server's requests with a JSON-RPC error.</summary>
    public Task RespondErrorAsync(JsonNode id, int code, string message) =>
        WriteAsync(new JsonObject { ["id"] = id.DeepClone(), ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    /// <summary>
    /// Everything the server says about <paramref name="threadId"/> from now on (notifications and requests), until
    /// <see cref="Unlisten"/> or the process ends (then the channel completes).
    /// </summary>
    public ChannelReader<JsonObject> Listen(string threadId)
    {
        var channel = Channel.CreateUnbounded<JsonObject>(new UnboundedChannelOptions { SingleReader = true });
        _listeners[threadId] = channel;
        if (Exited.IsCompleted)
        {
            channel.Writer.TryComplete();
        }

        return channel.Reader;
    }

    public void Unlisten(string threadId)
    {
        if (_listeners.TryRemove(threadId, out var channel))
        {
            channel.Writer.TryComplete();
        }
    }

    /// <summary>Ends the process and everything it started: SIGTERM, then SIGKILL after the grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            await Exited;
            return;
        }

        try
        {
            _process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // Already gone.
        }

        await ProcessTree.TerminateAsync(_process, _options.KillGrace);
        await Task.WhenAny(_readers, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
        _process.Dispose();
    }

    private async Task WriteAsync(JsonObject message)
    {
        var line = message.ToJsonString() + "\n";
        await _write.WaitAsync(CancellationToken.None);
        try
        {
            await _process.StandardInput.WriteAsync(line);
            await _process.StandardInput.FlushAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            throw new CodexException(Exited.IsCompleted ? ExitReason : "codex app-server does not read its input");
        }
        finally
        {
            _write.Release();
        }
    }

    private async Task ReadStdoutAsync()
    {
        await Task.Yield();
        var stream = _process.StandardOutput.BaseStream;
        var buffer = new byte[64 * 1024];
        using var line = new MemoryStream();
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, CancellationToken.None);
                if (read == 0)
                {
                    break;
                }

                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        continue;
                    }

                    line.Write(buffer, start, i - start);
                    Dispatch(line.GetBuffer().AsSpan(0, (int)line.Length));
                    line.SetLength(0);
                    start = i + 1;
                }

                line.Write(buffer, start, read - start);
                if (line.Length > _options.MaxStdoutBytes)
                {
                    _exitReason = "codex app-server wrote a line larger than the output limit";
                    await ProcessTree.TerminateAsync(_process, _options.KillGrace);
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe broke: the process is gone.
        }

        await EndAsync();
    }

    private async Task ReadStderrAsync()
    {
        await Task.Yield();
        try
        {
            while (await _process.StandardError.ReadLineAsync(CancellationToken.None) is { } text)
            {
                if (text.Trim().Length == 0)
                {
                    continue;
                }

                lock (_stderrTail)
                {
                    _stderrTail.Enqueue(text.Length <= 500 ? text : text[..500]);
                    if (_stderrTail.Count > StderrTailLines)
                    {
                        _stderrTail.Dequeue();
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe broke: the process is gone.
        }
    }

    /// <summary>Routes one line: an answer to a call, or a notification or request for the thread it names.</summary>
    private void Dispatch(ReadOnlySpan<byte> line)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null)
        {
            return;
        }

        if (message["method"] is null)
        {
            if (message["id"] is JsonValue idValue && idValue.TryGetValue<long>(out var id) && _calls.TryGetValue(id, out var call))
            {
                if (message["error"] is JsonObject error)
                {
                    call.TrySetException(new CodexException(Text(error, "message") ?? "codex app-server refused the request"));
                }
                else
                {
                    call.TrySetResult(message["result"]);
                }
            }

            return;
        }

        var parameters = message["params"] as JsonObject;
        var threadId = (parameters is null ? null : Text(parameters, "threadId") ?? Text(parameters, "conversationId"))
            ?? SoleListener();
        if (threadId is not null && _listeners.TryGetValue(threadId, out var listener))
        {
            listener.Writer.TryWrite(message);
        }
        else if (message["id"] is { } requestId)
        {
            // A request nobody can answer would stall the server: refuse it.
            _ = RespondErrorAsync(requestId, -32601, "No AgentIM turn is waiting for this request").ContinueWith(
                t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private string? SoleListener() => _listeners.Count == 1 ? _listeners.Keys.FirstOrDefault() : null;

    private async Task EndAsync()
    {
        var code = -1;
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                await ProcessTree.TerminateAsync(_process, _options.KillGrace);
            }

            code = _process.HasExited ? _process.ExitCode : -1;
        }
        catch (InvalidOperationException)
        {
            // Disposed meanwhile (the adapter gave up waiting): the exit code is unknown, the rest still runs.
        }

        // Its last words on stderr usually say why it ended.
        await Task.WhenAny(_stderr, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
        string tail;
        lock (_stderrTail)
        {
            tail = _stderrTail.LastOrDefault() ?? "";
        }

        if (_exitReason is null)
        {
            _exitReason = $"codex app-server exited with code {code}" + (tail.Length > 0 ? ": " + _redactor.Redact(tail) : "");
        }

        foreach (var call in _calls.Values)
        {
            call.TrySetException(new CodexException(ExitReason));
        }

        foreach (var listener in _listeners.Values)
        {
            listener.Writer.TryComplete();
        }

        _exited.TrySetResult();
    }
}
