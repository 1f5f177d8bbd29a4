using AgentIM.Gateway;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The generic adapter against real processes: stdout becomes text chunks, stderr error chunks with secrets masked,
/// exit codes and missing commands become errors, timeouts and output limits end the process tree, the
/// environment is filtered of secrets, the prompt goes on stdin or as the last argument, and no shell is used.
/// </summary>
public sealed class GenericAdapterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agentim-adapter-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_StdoutAndStderr_TextAndRedactedErrorChunks()
    {
        var script = Script("out.sh",
            "cat\necho 'token=abc123secretvalue and Bearer abcdefghijklmnop' >&2\n"
            + "echo 'sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA' >&2");
        var (result, chunks) = await RunAsync(new GenericAdapterOptions(script, []), "hello");

        Assert.Null(result.Error);
        Assert.Equal("hello", result.FullContent);
        Assert.Equal("hello", string.Concat(chunks.Where(c => c.Type == "text").Select(c => c.Content)));
        var errors = string.Concat(chunks.Where(c => c.Type == "error").Select(c => c.Content));
        Assert.DoesNotContain("abc123secretvalue", errors);
        Assert.DoesNotContain("abcdefghijklmnop", errors);
        Assert.DoesNotContain("AAAAAAAAAAAAAAAAAAAAAAAA", errors);
        Assert.Contains(SecretRedactor.Mask, errors);
    }

    [Fact]
    public async Task Run_PromptAsLastArgument_NoShellInterpretation()
    {
        var script = Script("args.sh", "for a in \"$@\"; do printf '[%s]' \"$a\"; done");
        var options = new GenericAdapterOptions(script, ["--flag", "$HOME; echo pwned"]) { PromptOnStdin = false };

        var (result, _) = await RunAsync(options, "the prompt `id`");

        Assert.Null(result.Error);
        Assert.Equal("[--flag][$HOME; echo pwned][the prompt `id`]", result.FullContent);
    }

    [Fact]
    public async Task Run_NonZeroExit_FailsWithCode()
    {
        var (result, _) = await RunAsync(new GenericAdapterOptions(Script("fail.sh", "echo partial\nexit 3"), []), "x");

        Assert.Equal("Process exited with code 3", result.Error);
        Assert.Equal("partial\n", result.FullContent);
    }

    [Fact]
    public async Task Run_MissingCommand_SaysNotFound()
    {
        var (result, _) = await RunAsync(new GenericAdapterOptions(Path.Combine(_dir, "nope"), []), "x");

        Assert.NotNull(result.Error);
        Assert.Contains("not found", result.Error);
    }

    [Fact]
    public async Task Run_Environment_SecretsFilteredUnlessPassed()
    {
        var script = Script("env.sh", "env");
        var secrets = new Dictionary<string, string>
        {
            ["JWT_SECRET"] = "x",
            ["DATABASE_URL"] = "y",
            ["MY_API_TOKEN"] = "z",
            ["PATH"] = "/bin",
        };
        var filtered = SecretEnvironment.Filter(["MY_API_TOKEN", "JWT_SECRET"], secrets);
        Assert.Equal(["MY_API_TOKEN", "PATH"], filtered.Keys.Order());

        var (result, _) = await RunAsync(new GenericAdapterOptions(script, []), "");

        Assert.Null(result.Error);
        Assert.Contains("PATH=", result.FullContent);
        Assert.DoesNotContain("DATABASE_URL=", result.FullContent);
        Assert.DoesNotContain("AGENTIM_PG_ADMIN_URL=", result.FullContent);
    }

    [Fact]
    public async Task Run_WorkingDirectory_IsTheAgents()
    {
        var work = Directory.CreateDirectory(Path.Combine(_dir, "work")).FullName;
        var (result, _) = await RunAsync(new GenericAdapterOptions(Script("pwd.sh", "pwd"), []), "", work);

        Assert.Equal(work + "\n", result.FullContent);
        Assert.NotNull(WorkingDirectories.Resolve(Path.Combine(_dir, "missing")).Error);
    }

    [Fact]
    public async Task Run_Inactivity_KillsTheProcessTree()
    {
        var pidFile = Path.Combine(_dir, "child.pid");
        var script = Script("idle.sh", $"sleep 300 &\necho $! > '{pidFile}'\necho waiting\nwait");
        var options = new GenericAdapterOptions(script, [])
        {
            InactivityTimeout = TimeSpan.FromMilliseconds(700),
            KillGrace = TimeSpan.FromMilliseconds(500),
        };

        var (result, _) = await RunAsync(options, "");

        Assert.Contains("inactivity timeout", result.Error);
        Assert.Equal("waiting\n", result.FullContent);
        var child = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim());
        await Support.Eventually.AssertAsync(() => Task.FromResult(!ProcessTree.IsAlive(child)), "the background child is killed too");
    }

    [Fact]
    public async Task Run_AbsoluteTimeout_EndsEvenWithOutput()
    {
        var script = Script("chatty.sh", "while true; do echo tick; sleep 0.1; done");
        var options = new GenericAdapterOptions(script, [])
        {
            AbsoluteTimeout = TimeSpan.FromMilliseconds(800),
            KillGrace = TimeSpan.FromMilliseconds(500),
        };

        var (result, _) = await RunAsync(options, "");

        Assert.Contains("absolute timeout", result.Error);
        Assert.StartsWith("tick\n", result.FullContent);
    }

    [Fact]
    public async Task Run_OutputLimit_ResponseTooLarge()
    {
        var script = Script("flood.sh", "while true; do echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done");
        var options = new GenericAdapterOptions(script, []) { MaxStdoutBytes = 64 * 1024, KillGrace = TimeSpan.FromMilliseconds(500) };

        var (result, _) = await RunAsync(options, "");

        Assert.Equal("Response too large", result.Error);
    }

    [Fact]
    public async Task Run_Cancelled_StopsPromptly()
    {
        var options = new GenericAdapterOptions(Script("sleep.sh", "echo begun\nexec sleep 300"), [])
        {
            KillGrace = TimeSpan.FromSeconds(2),
        };
        using var stop = new CancellationTokenSource();
        var chunks = new List<AgentChunk>();
        var adapter = new GenericAdapter(options, new SecretRedactor([], null));

        var run = adapter.RunAsync(new AdapterRequest("", "room", null), c =>
        {
            lock (chunks)
            {
                chunks.Add(c);
                stop.Cancel();
            }

            return Task.CompletedTask;
        }, stop.Token);

        var result = await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("Stopped", result.Error);
        Assert.Equal("begun\n", result.FullContent);
    }

    [Theory]
    [InlineData("echo; rm -rf /")]
    [InlineData("a|b")]
    [InlineData("$(id)")]
    [InlineData("-rf")]
    [InlineData("../bin/x")]
    [InlineData("")]
    public void CheckCommand_ShellLikeOrEscaping_Refused(string command) => Assert.NotNull(GenericAdapterOptions.CheckCommand(command));

    [Fact]
    public void CheckCommand_PlainProgram_Allowed()
    {
        Assert.Null(GenericAdapterOptions.CheckCommand("/usr/bin/python3"));
        Assert.Null(GenericAdapterOptions.CheckCommand("my-agent"));
    }

    private string Script(string name, string body)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static async Task<(AdapterResult Result, List<AgentChunk> Chunks)> RunAsync(
        GenericAdapterOptions options, string prompt, string? workingDirectory = null)
    {
        var chunks = new List<AgentChunk>();
        var adapter = new GenericAdapter(options, new SecretRedactor([], null));
        var result = await adapter.RunAsync(new AdapterRequest(prompt, "room", workingDirectory), c =>
        {
            lock (chunks)
            {
                chunks.Add(c);
            }

            return Task.CompletedTask;
        }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return (result, chunks);
    }
}
