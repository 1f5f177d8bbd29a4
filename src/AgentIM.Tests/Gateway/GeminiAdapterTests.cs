using AgentIM.Gateway;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The gemini adapter against the fake <c>gemini</c> CLI (Fakes/fake_gemini.py), which prints the headless
/// stream-json events: tool calls and results, warnings and text become the contract's chunks; a room's next message
/// resumes the session the first one reported (a session the CLI no longer has is retried without it); an error
/// result, a crash mid-reply and the CLI's turn-limit exit fail the reply; stop ends the process.
/// </summary>
public sealed class GeminiAdapterTests : IDisposable
{
    private readonly FakeTools _fakes = FakeTools.Create();
    private readonly string _gemini;

    public GeminiAdapterTests() => _gemini = _fakes.Install("fake_gemini.py");

    public void Dispose() => _fakes.Dispose();

    [Fact]
    public async Task Run_ToolsReply_ChunkTypesAndText()
    {
        var (result, chunks) = await RunAsync(Adapter(), "TOOLS please");

        Assert.Null(result.Error);
        Assert.Equal("All done", result.FullContent);
        Assert.Equal(["tool_use", "tool_result", "tool_use", "tool_result", "text", "text", "text"], chunks.Select(c => c.Type));
        Assert.Equal("read_file", chunks[0].Metadata!["toolName"]!.GetValue<string>());
        Assert.Equal("t1", chunks[0].Metadata!["toolId"]!.GetValue<string>());
        Assert.Contains("\"path\": \"a.txt\"", chunks[0].Content);
        Assert.Equal("contents of a", chunks[1].Content);
        Assert.Equal("t1", chunks[1].Metadata!["toolId"]!.GetValue<string>());
        Assert.Equal("Error: not allowed", chunks[3].Content);
        Assert.Contains("slow response", chunks[4].Content);
        Assert.True(chunks[4].Metadata!["warning"]!.GetValue<bool>());
        Assert.DoesNotContain(chunks, c => c.Content.Contains("TOOLS please", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_SameRoom_ResumesItsSession()
    {
        var adapter = Adapter();

        var (first, _) = await RunAsync(adapter, "hello", "room-a");
        var (second, _) = await RunAsync(adapter, "again", "room-a");
        var (other, _) = await RunAsync(adapter, "hello", "room-b");

        Assert.Equal("session=new mode=default", first.FullContent);
        var session = Assert.Single(File.ReadAllLines(Path.Combine(_fakes.State, "sessions")).Take(1));
        Assert.Equal($"session={session} mode=default", second.FullContent);
        Assert.Equal("session=new mode=default", other.FullContent);
    }

    [Fact]
    public async Task Run_LostSession_RetriedWithoutIt()
    {
        var adapter = Adapter();
        await RunAsync(adapter, "hello");
        File.Delete(Path.Combine(_fakes.State, "sessions"));

        var (result, _) = await RunAsync(adapter, "hello");

        Assert.Null(result.Error);
        Assert.Equal("session=new mode=default", result.FullContent);
    }

    [Fact]
    public async Task Run_Bypass_YoloMode()
    {
        var (result, _) = await RunAsync(Adapter(bypass: true), "hello");

        Assert.Equal("session=new mode=yolo", result.FullContent);
        Assert.Contains(_fakes.Log(), l => l.Contains("--output-format stream-json --approval-mode yolo", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ErrorResult_FailsWithItsMessage()
    {
        var (result, chunks) = await RunAsync(Adapter(), "FAIL");

        Assert.Equal("API quota exceeded", result.Error);
        Assert.Contains(chunks, c => c.Type == "error" && c.Content == "API quota exceeded");
    }

    [Fact]
    public async Task Run_CrashMidReply_FailsKeepingThePartialText()
    {
        var (result, chunks) = await RunAsync(Adapter(), "CRASH");

        Assert.Equal("Process exited with code 2", result.Error);
        Assert.Equal("partial", result.FullContent);
        Assert.Contains(chunks, c => c.Type == "error" && c.Content.Contains("out of memory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_TurnLimitExit_Explained()
    {
        var (result, _) = await RunAsync(Adapter(), "LIMIT");

        Assert.Contains("turn limit", result.Error);
    }

    [Fact]
    public async Task Run_Stopped_EndsTheProcess()
    {
        using var stop = new CancellationTokenSource();

        var (result, _) = await RunAsync(Adapter(), "SLEEP", stopOnFirstChunk: stop);

        Assert.Equal("Stopped", result.Error);
        Assert.Equal("working", result.FullContent);
        var pid = int.Parse(_fakes.Log().Single().Split(' ')[1]);
        await Eventually.AssertAsync(() => Task.FromResult(!ProcessTree.IsAlive(pid)), "gemini ended");
    }

    private GeminiAdapter Adapter(bool bypass = false) => new(
        new GenericAdapterOptions(_gemini, []) { KillGrace = TimeSpan.FromSeconds(1) },
        bypass,
        new SecretRedactor([], null));

    private async Task<(AdapterResult Result, List<AgentChunk> Chunks)> RunAsync(
        GeminiAdapter adapter, string prompt, string room = "room-1", CancellationTokenSource? stopOnFirstChunk = null)
    {
        var chunks = new List<AgentChunk>();
        var result = await adapter.RunAsync(new AdapterRequest(prompt, room, _fakes.Work), c =>
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
