using System.Diagnostics;
using System.Text.Json.Nodes;
using AgentIM.Tests.Smoke;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The published binary on both ends, as a user runs it: <c>agentim serve</c> as the hub, and <c>agentim login</c>
/// then <c>agentim gateway -a NAME:TYPE:DIR</c> as the gateway (a custom generic adapter running a small script, or
/// claude-code, codex and gemini running their fake CLIs from PATH). A client mentions the agent and gets the streamed
/// reply, approves a tool from the room, and a reply whose hub is killed and restarted halfway is still stored once.
/// </summary>
public sealed class PublishedGatewayTests(PublishedHub hub) : IClassFixture<PublishedHub>
{
    private static readonly TimeSpan Reply = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PublishedGateway_Mention_StreamsReplyFromGenericAgent()
    {
        await using var gateway = await PublishedGateway.StartAsync(hub, "echo", "read -r first\nprintf 'got: %s\\n' \"$first\"\ncat");
        var (session, roomId) = await gateway.RoomAsync();
        await using var client = await WsPeer.ClientAsync(session, roomId);

        await client.SendMessageAsync(roomId, $"@{gateway.AgentName} hello there");

        var complete = (await client.WaitForAsync("server:message_complete", timeout: Reply))["message"]!;
        Assert.Equal(gateway.AgentId, complete["senderId"]!.GetValue<string>());
        Assert.StartsWith("got: ", complete["content"]!.GetValue<string>());
        Assert.Contains("hello there", complete["content"]!.GetValue<string>());
        var streamed = string.Concat(client.All("server:message_chunk")
            .Where(c => c["messageId"]!.GetValue<string>() == complete["id"]!.GetValue<string>())
            .Select(c => c["chunk"]!["content"]!.GetValue<string>()));
        Assert.Equal(complete["content"]!.GetValue<string>(), streamed);
    }

    [Fact]
    public async Task PublishedGateway_ClaudePermission_ApprovedFromClient()
    {
        await using var gateway = await PublishedGateway.StartAsync(hub, "claude-code", FakeClaude.Script);
        var (session, roomId) = await gateway.RoomAsync();
        await using var client = await WsPeer.ClientAsync(session, roomId);

        await client.SendMessageAsync(roomId, $"@{gateway.AgentName} needs-approval");
        var request = await client.WaitForAsync("server:permission_request", timeout: Reply);
        Assert.Equal("Bash", request["toolName"]!.GetValue<string>());
        await client.SendAsync(new
        {
            type = "client:permission_response",
            requestId = request["requestId"]!.GetValue<string>(),
            decision = "allow",
        });

        var complete = (await client.WaitForAsync("server:message_complete", timeout: Reply))["message"]!;
        Assert.StartsWith("approved. pid=", complete["content"]!.GetValue<string>());
        Assert.Contains("mode=default", complete["content"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("codex", "fake_codex.py", "thread=thr_")]
    [InlineData("gemini", "fake_gemini.py", "session=new mode=default")]
    public async Task PublishedGateway_FakeCli_StreamsReplyIntoTheRoom(string type, string fake, string expected)
    {
        await using var gateway = await PublishedGateway.StartAsync(hub, type, await File.ReadAllTextAsync(FakePath(fake)));
        var (session, roomId) = await gateway.RoomAsync();
        await using var client = await WsPeer.ClientAsync(session, roomId);

        await client.SendMessageAsync(roomId, $"@{gateway.AgentName} hello");

        var complete = (await client.WaitForAsync("server:message_complete", timeout: Reply))["message"]!;
        Assert.Equal(gateway.AgentId, complete["senderId"]!.GetValue<string>());
        Assert.Contains(expected, complete["content"]!.GetValue<string>());
        Assert.Contains(client.All("server:message_chunk"), c => c["messageId"]!.GetValue<string>() == complete["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task PublishedGateway_CodexApproval_ApprovedFromClient()
    {
        await using var gateway = await PublishedGateway.StartAsync(hub, "codex", await File.ReadAllTextAsync(FakePath("fake_codex.py")));
        var (session, roomId) = await gateway.RoomAsync();
        await using var client = await WsPeer.ClientAsync(session, roomId);

        await client.SendMessageAsync(roomId, $"@{gateway.AgentName} APPROVE the cleanup");
        var request = await client.WaitForAsync("server:permission_request", timeout: Reply);
        await client.SendAsync(new
        {
            type = "client:permission_response",
            requestId = request["requestId"]!.GetValue<string>(),
            decision = "allow",
        });

        var complete = (await client.WaitForAsync("server:message_complete", timeout: Reply))["message"]!;
        Assert.Equal("decision=accept", complete["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task PublishedGateway_HubKilledMidReply_ReplyCompletesAndIsStoredOnce()
    {
        var gateFile = Path.Combine(Path.GetTempPath(), "agentim-gate-" + Guid.NewGuid().ToString("N"));
        await using var gateway = await PublishedGateway.StartAsync(
            hub, "slow", $"cat > /dev/null\necho part-one\nwhile [ ! -e '{gateFile}' ]; do sleep 0.05; done\necho part-two");
        var (session, roomId) = await gateway.RoomAsync();
        await using (var client = await WsPeer.ClientAsync(session, roomId))
        {
            await client.SendMessageAsync(roomId, $"@{gateway.AgentName} go");
            var chunk = await client.WaitForAsync("server:message_chunk", timeout: Reply);
            Assert.Equal("part-one\n", chunk["chunk"]!["content"]!.GetValue<string>());
        }

        await hub.KillAsync();
        await File.WriteAllTextAsync(gateFile, "");
        await hub.StartAsync();

        try
        {
            var again = await hub.LoginAdminAsync();
            List<JsonNode> replies = [];
            await Eventually.AssertAsync(async () =>
            {
                replies = await AgentMessagesAsync(again, roomId, gateway.AgentId);
                return replies.Any(r => r["content"]!.GetValue<string>() == "part-one\npart-two\n");
            }, "the reply completed after the hub came back", TimeSpan.FromSeconds(60));

            // Settle: a second completion (a resend) would show up as another message of the agent.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var stored = Assert.Single(await AgentMessagesAsync(again, roomId, gateway.AgentId));
            Assert.Equal("part-one\npart-two\n", stored["content"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(gateFile);
        }
    }

    [Fact]
    public async Task PublishedGateway_Detached_ListedStoppedAndRemoved()
    {
        var (root, config, work, environment) = await PublishedGateway.PrepareAsync(hub, "echo", "cat");
        try
        {
            async Task<CommandResult> RunAsync(params string[] arguments) =>
                await hub.RunCommandAsync(new CommandRun(arguments) { Overrides = environment });

            var started = await RunAsync("gateway", "-d", "-n", "bg", "-a", $"bgbot:echo:{work}");
            Assert.True(started.ExitCode == 0, started.Stdout + started.Stderr);
            Assert.Contains("runs in the background", started.Stdout);
            var record = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(config, "agentim", "daemons", "bg.json")))!;
            var pid = record["pid"]!.GetValue<int>();
            var log = record["logFile"]!.GetValue<string>();
            Assert.True(AgentIM.Gateway.ProcessTree.IsAlive(pid));
            await Eventually.AssertAsync(
                () => Task.FromResult(File.Exists(log) && File.ReadAllText(log).Contains("bgbot", StringComparison.Ordinal)),
                "the detached gateway logs to its file", TimeSpan.FromSeconds(30));

            var listed = await RunAsync("ls");
            Assert.Matches(@"bg\s+running\s+" + pid, listed.Stdout);

            var stopped = await RunAsync("stop", "bg");
            Assert.Equal(0, stopped.ExitCode);
            Assert.False(AgentIM.Gateway.ProcessTree.IsAlive(pid));
            Assert.Matches(@"bg\s+stopped", (await RunAsync("list")).Stdout);

            var removed = await RunAsync("rm", "bg");
            Assert.Equal(0, removed.ExitCode);
            Assert.False(File.Exists(Path.Combine(config, "agentim", "daemons", "bg.json")));
            Assert.False(File.Exists(log));
            Assert.Equal(5, (await RunAsync("stop", "bg")).ExitCode);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<List<JsonNode>> AgentMessagesAsync(Session session, string roomId, string agentId)
    {
        var (status, body) = await session.GetAsync($"/api/messages/rooms/{roomId}?limit=50");
        Assert.Equal(200, status);
        return [.. body!["data"]!["items"]!.AsArray().Select(n => n!).Where(m => m["senderId"]!.GetValue<string>() == agentId)];
    }

    /// <summary>
    /// <c>agentim login</c> and <c>agentim gateway</c> of the published binary in a config folder of their own, hosting
    /// one agent. Its output is kept for failure messages; disposing sends SIGTERM and waits for a clean exit.
    /// </summary>
    /// <summary>A fake CLI of Gateway/Fakes, by file name.</summary>
    private static string FakePath(string name, [System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Fakes", name);

    private sealed class PublishedGateway : IAsyncDisposable
    {
        /// <summary>The program each built-in agent type runs, found on PATH.</summary>
        private static readonly Dictionary<string, string> BuiltInTools = new()
        {
            ["claude-code"] = "claude",
            ["codex"] = "codex",
            ["gemini"] = "gemini",
        };

        private readonly Process _process;
        private readonly string _root;
        private readonly System.Text.StringBuilder _output = new();
        private readonly Task _pumps;

        private PublishedGateway(PublishedHub hub, Process process, string root, string agentName)
        {
            Hub = hub;
            _process = process;
            _root = root;
            AgentName = agentName;
            _pumps = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
        }

        public PublishedHub Hub { get; }

        public string AgentName { get; }

        public string AgentId { get; private set; } = "";

        /// <summary>
        /// Logs in as the admin and starts the gateway. <paramref name="type"/> <c>claude-code</c> puts
        /// <paramref name="script"/> on PATH as <c>claude</c>; any other name becomes a custom adapter in adapters.json
        /// running the script (registered as generic).
        /// </summary>
        public static async Task<PublishedGateway> StartAsync(PublishedHub hub, string type, string script)
        {
            var (root, config, work, environment) = await PrepareAsync(hub, type, script);
            var name = "pub" + Guid.NewGuid().ToString("N")[..8];
            var process = hub.StartOther(environment, "gateway", "-a", $"{name}:{type}:{work}");
            var gateway = new PublishedGateway(hub, process, root, name);
            await gateway.WaitRegisteredAsync(Path.Combine(config, "agentim", "agents.json"));
            return gateway;
        }

        /// <summary>
        /// A folder with bin/ (the script), work/ and config/, and the environment that points the binary at them;
        /// logged in as the admin. A custom adapter named <paramref name="type"/> runs the script (unless claude-code).
        /// </summary>
        public static async Task<(string Root, string Config, string Work, Dictionary<string, string> Environment)> PrepareAsync(
            PublishedHub hub, string type, string script)
        {
            var root = Directory.CreateTempSubdirectory("agentim-pubgw-").FullName;
            var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
            var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
            var config = Directory.CreateDirectory(Path.Combine(root, "config")).FullName;
            // The built-in types run their CLI from PATH under its own name; a script with its own #! line is kept whole.
            var scriptPath = Path.Combine(bin, BuiltInTools.GetValueOrDefault(type, "agent.sh"));
            var content = script.StartsWith("#!", StringComparison.Ordinal) ? script : "#!/bin/sh\n" + script + "\n";
            await File.WriteAllTextAsync(scriptPath, content);
            File.SetUnixFileMode(scriptPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var environment = new Dictionary<string, string>
            {
                ["XDG_CONFIG_HOME"] = config,
                ["HOME"] = root,
                ["PATH"] = $"{bin}:/usr/bin:/bin",
                ["AGENTIM_PASSWORD"] = HubFixture.AdminPassword,
            };
            var login = await hub.RunCommandAsync(new CommandRun(
                ["login", "-s", hub.BaseAddress.ToString().TrimEnd('/'), "-u", HubFixture.AdminUsername]) { Overrides = environment });
            Assert.True(login.ExitCode == 0, $"login: {login.Stdout}{login.Stderr}");
            if (!BuiltInTools.ContainsKey(type))
            {
                var adapters = new JsonObject { [type] = new JsonObject { ["command"] = scriptPath } };
                await File.WriteAllTextAsync(Path.Combine(config, "agentim", "adapters.json"), adapters.ToJsonString());
            }

            return (root, config, work, environment);
        }

        /// <summary>A room of the admin with the agent in it (once the hub lists the agent online).</summary>
        public async Task<(Session Session, string RoomId)> RoomAsync()
        {
            var admin = await Hub.LoginAdminAsync();
            await Eventually.AssertAsync(async () =>
            {
                var (status, body) = await admin.GetAsync($"/api/agents/{AgentId}");
                return status == 200 && body?["data"]?["status"]?.GetValue<string>() == "online";
            }, $"agent {AgentId} online", TimeSpan.FromSeconds(30));
            var roomId = await admin.CreateRoomAsync("pub-gw-room");
            await admin.AddMemberAsync(roomId, AgentId, "agent");
            return (admin, roomId);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                // SIGTERM, as a user's Ctrl+C or systemd would: the gateway ends its agents' processes itself.
                _ = Signal(_process.Id, 15);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(wait.Token);
            }

            await _pumps;
            _process.Dispose();
            Directory.Delete(_root, recursive: true);
        }

        private async Task WaitRegisteredAsync(string agentsFile)
        {
            await Eventually.AssertAsync(() =>
            {
                if (_process.HasExited)
                {
                    throw new Xunit.Sdk.XunitException($"agentim gateway exited with {_process.ExitCode}: {Output()}");
                }

                if (File.Exists(agentsFile) && JsonNode.Parse(File.ReadAllText(agentsFile))?["agents"] is JsonArray agents
                    && agents.FirstOrDefault(a => a?["name"]?.GetValue<string>() == AgentName) is { } agent)
                {
                    AgentId = agent["id"]!.GetValue<string>();
                    return Task.FromResult(true);
                }

                return Task.FromResult(false);
            }, "the gateway saved its agent's id", TimeSpan.FromSeconds(30));
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int Signal(int pid, int signal);

        private string Output()
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }

        private async Task PumpAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
