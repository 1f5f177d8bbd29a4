using AgentIM.Gateway;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The codex adapter against the fake <c>codex app-server</c> (Fakes/fake_codex.py), which speaks its JSON-RPC on
/// stdio: item notifications become the contract's chunk types, a room keeps its thread across turns on one
/// long-lived process, approvals are asked and answered, a crash mid-reply fails that reply and the next message
/// starts a new process that resumes the thread, a failed turn carries the server's error, and stop interrupts the
/// turn (ending a server that does not listen).
/// </summary>
public sealed class CodexAdapterTests : IDisposable
{
    private readonly FakeTools _fakes = FakeTools.Create();
    private readonly string _codex;

    public CodexAdapterTests() => _codex = _fakes.Install("fake_codex.py");

    public void Dispose() => _fakes.Dispose();

    [Fact]
    public async Task Run_ToolsTurn_ChunkTypesAndStreamedText()
    {
        await using var adapter = Adapter();

        var (result, chunks) = await RunAsync(adapter, "TOOLS please");

        Assert.Null(result.Error);
        Assert.Equal("Hello world\n\nDone.", result.FullContent);
        Assert.Equal(result.FullContent, string.Concat(chunks.Where(c => c.Type == "text").Select(c => c.Content)));
        Assert.Equal(
            ["thinking", "tool_use", "tool_result", "tool_result", "tool_use", "tool_use", "text", "text", "text"],
            chunks.Select(c => c.Type));
        Assert.Equal("planning", chunks[0].Content);
        Assert.Equal("$ ls -a", chunks[1].Content);
        Assert.Equal("command", chunks[1].Metadata!["toolName"]!.GetValue<string>());
        Assert.Equal("cmd_1", chunks[1].Metadata!["toolId"]!.GetValue<string>());
        Assert.Equal("file.txt\n", chunks[2].Content);
        Assert.Equal("cmd_1", chunks[2].Metadata!["toolId"]!.GetValue<string>());
        Assert.Equal("add: notes.md", chunks[3].Content);
        Assert.Equal("docs:lookup", chunks[4].Metadata!["toolName"]!.GetValue<string>());
        Assert.Contains("\"tool\": \"lookup\"", chunks[4].Content);
        Assert.Equal("Web search: codex docs", chunks[5].Content);
    }

    [Fact]
    public async Task Run_SameRoom_KeepsThreadOnOneProcess()
    {
        await using var adapter = Adapter();

        var (first, _) = await RunAsync(adapter, "hello", "room-a");
        var pid = adapter.ProcessId;
        var (second, _) = await RunAsync(adapter, "again", "room-a");
        var (other, _) = await RunAsync(adapter, "hello", "room-b");

        var thread = adapter.ThreadOf("room-a");
        Assert.NotNull(thread);
        Assert.Equal($"thread={thread} turn=1", first.FullContent);
        Assert.Equal($"thread={thread} turn=2", second.FullContent);
        Assert.Equal($"thread={adapter.ThreadOf("room-b")} turn=1", other.FullContent);
        Assert.NotEqual(thread, adapter.ThreadOf("room-b"));
        Assert.Equal(pid, adapter.ProcessId);
        Assert.Single(_fakes.Log(), l => l.StartsWith("pid ", StringComparison.Ordinal));
        Assert.Single(_fakes.Log(), l => l == "method initialize");
        Assert.Contains("approvalPolicy on-request", _fakes.Log());
    }

    [Fact]
    public async Task Run_TwoRoomsAtOnce_BothOnOneProcess()
    {
        await using var adapter = Adapter();
        using var stop = new CancellationTokenSource();
        var firstChunk = new TaskCompletionSource();
        var slow = adapter.RunAsync(new AdapterRequest("SLEEP", "room-a", _fakes.Work), _ =>
        {
            firstChunk.TrySetResult();
            return Task.CompletedTask;
        }, stop.Token);
        await firstChunk.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var (other, _) = await RunAsync(adapter, "hello", "room-b");
        await stop.CancelAsync();
        var stopped = await slow.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(other.Error);
        Assert.Equal($"thread={adapter.ThreadOf("room-b")} turn=1", other.FullContent);
        Assert.Equal("Stopped", stopped.Error);
        Assert.Single(_fakes.Log(), l => l.StartsWith("pid ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Approval_AllowedRunsAndAskedOnce()
    {
        await using var adapter = Adapter();
        var asked = new List<PermissionAsk>();

        var (result, _) = await RunAsync(adapter, "APPROVE", ask: Answer(PermissionDecision.Allow, asked));

        Assert.Null(result.Error);
        Assert.Equal("decision=accept", result.FullContent);
        var ask = Assert.Single(asked);
        var input = ask.ToolInput;
        Assert.Equal("Bash", ask.ToolName);
        Assert.Equal(TimeSpan.FromMinutes(5), ask.Timeout);
        Assert.Equal("rm -rf build", input["command"]!.GetValue<string>());
        Assert.Equal("/w", input["cwd"]!.GetValue<string>());
        Assert.Equal("clean the build", input["reason"]!.GetValue<string>());
        Assert.NotNull(input["commandActions"]);
    }

    [Fact]
    public async Task Run_ApprovalAllowAlways_RememberedForTheRoom()
    {
        await using var adapter = Adapter();
        var asked = new List<PermissionAsk>();

        var (first, _) = await RunAsync(adapter, "APPROVE", ask: Answer(PermissionDecision.AllowAlways, asked));
        var (second, _) = await RunAsync(adapter, "APPROVE", ask: Answer(PermissionDecision.Deny, asked));

        Assert.Equal("decision=acceptForSession", first.FullContent);
        Assert.Equal("decision=accept", second.FullContent);
        Assert.Single(asked);
    }

    [Fact]
    public async Task Run_ApprovalDenied_CancelledWithNotice()
    {
        await using var adapter = Adapter();

        var (result, chunks) = await RunAsync(adapter, "APPROVE", ask: Answer(PermissionDecision.Deny, [], "not today"));
        var (timedOut, _) = await RunAsync(adapter, "APPROVE", ask: Answer(PermissionDecision.Deny, [], "Permission request timed out"));

        Assert.Null(result.Error);
        Assert.Equal("[Permission for Bash denied: not today]", result.FullContent);
        Assert.Contains(chunks, c => c.Type == "text" && c.Content == "[Permission for Bash denied: not today]");
        Assert.Contains("timed out", timedOut.FullContent);
        Assert.Equal(["decision cancel", "decision cancel"], _fakes.Log().Where(l => l.StartsWith("decision", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_NoBridgeAndNotBypass_Denied()
    {
        await using var adapter = Adapter();

        var (result, _) = await RunAsync(adapter, "APPROVE");

        Assert.Contains("denied", result.FullContent);
        Assert.Contains("decision cancel", _fakes.Log());
    }

    [Fact]
    public async Task Run_Bypass_PolicyNeverAndApprovalsAccepted()
    {
        await using var adapter = Adapter(bypass: true);
        var asked = new List<PermissionAsk>();

        var (result, _) = await RunAsync(adapter, "APPROVE", ask: Answer(PermissionDecision.Deny, asked));

        Assert.Equal("decision=accept", result.FullContent);
        Assert.Empty(asked);
        Assert.Contains("approvalPolicy never", _fakes.Log());
    }

    [Fact]
    public async Task Run_CrashMidReply_FailsThenRestartsAndResumesThread()
    {
        await using var adapter = Adapter();
        var (before, _) = await RunAsync(adapter, "hello");
        var thread = adapter.ThreadOf("room-1");

        var (crashed, chunks) = await RunAsync(adapter, "CRASH now");
        var (after, _) = await RunAsync(adapter, "hello");

        Assert.Null(before.Error);
        Assert.Equal("partial answer", crashed.FullContent);
        Assert.Contains("exited with code 3", crashed.Error);
        Assert.Contains("model connection lost", crashed.Error);
        Assert.Contains(chunks, c => c.Content == "partial answer");
        Assert.Null(after.Error);
        Assert.Equal($"thread={thread} turn=3", after.FullContent);
        Assert.Equal(2, _fakes.Log().Count(l => l.StartsWith("pid ", StringComparison.Ordinal)));
        Assert.Contains("method thread/resume", _fakes.Log());
    }

    [Fact]
    public async Task Run_FailedTurn_ErrorFromServer()
    {
        await using var adapter = Adapter();

        var (result, _) = await RunAsync(adapter, "FAIL");

        Assert.Equal("quota exceeded", result.Error);
    }

    [Fact]
    public async Task Run_Stopped_InterruptsTheTurn()
    {
        await using var adapter = Adapter();
        using var stop = new CancellationTokenSource();

        var (result, _) = await RunAsync(adapter, "SLEEP", stopOnFirstChunk: stop);
        var (next, _) = await RunAsync(adapter, "hello");

        Assert.Equal("Stopped", result.Error);
        Assert.Equal("working", result.FullContent);
        Assert.Contains(_fakes.Log(), l => l.StartsWith("interrupted ", StringComparison.Ordinal));
        Assert.Null(next.Error);
        Assert.Single(_fakes.Log(), l => l.StartsWith("pid ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_StoppedServerIgnoresInterrupt_ProcessEnded()
    {
        await using var adapter = Adapter();
        using var stop = new CancellationTokenSource();
        await RunAsync(adapter, "hello");
        var pid = adapter.ProcessId!.Value;

        var (result, _) = await RunAsync(adapter, "STUBBORN", stopOnFirstChunk: stop);

        Assert.Equal("Stopped", result.Error);
        Assert.Contains(_fakes.Log(), l => l.StartsWith("interrupt ", StringComparison.Ordinal));
        await Eventually.AssertAsync(() => Task.FromResult(!ProcessTree.IsAlive(pid)), "the stubborn app-server is ended");
    }

    [Fact]
    public async Task Run_MissingBinary_SaysNotFound()
    {
        await using var adapter = new CodexAdapter(
            new GenericAdapterOptions(Path.Combine(_fakes.Root, "no-codex"), ["app-server"]), false, new SecretRedactor([], null));

        var (result, _) = await RunAsync(adapter, "hello");

        Assert.Contains("not found", result.Error);
    }

    [Fact]
    public async Task Dispose_EndsTheAppServer()
    {
        var adapter = Adapter();
        await RunAsync(adapter, "hello");
        var pid = adapter.ProcessId!.Value;

        await adapter.DisposeAsync();

        await Eventually.AssertAsync(() => Task.FromResult(!ProcessTree.IsAlive(pid)), "app-server ended");
    }

    private CodexAdapter Adapter(bool bypass = false) => new(
        new GenericAdapterOptions(_codex, ["app-server"]) { KillGrace = TimeSpan.FromSeconds(1) },
        bypass,
        new SecretRedactor([], null));

    private static PermissionBridge Answer(PermissionDecision decision, List<PermissionAsk> asked, string? reason = null) => (ask, _) =>
    {
        lock (asked)
        {
            asked.Add(ask);
        }

        return Task.FromResult(new PermissionAnswer(decision, reason));
    };

    private async Task<(AdapterResult Result, List<AgentChunk> Chunks)> RunAsync(
        CodexAdapter adapter,
        string prompt,
        string room = "room-1",
        PermissionBridge? ask = null,
        CancellationTokenSource? stopOnFirstChunk = null)
    {
        var chunks = new List<AgentChunk>();
        var request = new AdapterRequest(prompt, room, _fakes.Work) { Permissions = ask };
        var result = await adapter.RunAsync(request, c =>
        {
            lock (chunks)
            {
                chunks.Add(c);
            }

            stopOnFirstChunk?.Cancel();
            return Task.CompletedTask;
        }, stopOnFirstChunk?.Token ?? CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return (result, chunks);
    }
}
