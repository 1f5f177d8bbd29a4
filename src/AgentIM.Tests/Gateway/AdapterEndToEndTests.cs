using System.Text.RegularExpressions;
using AgentIM.Gateway;
using AgentIM.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The codex and gemini adapters inside a real gateway against a real hub, with the fake CLIs: a codex approval goes
/// to the room as a permission request and the client's answer reaches the app-server; stop ends a codex turn once;
/// the <c>agentim codex|gemini</c> shortcuts host one agent of that type (wrapper mode) whose replies reach the room.
/// </summary>
public sealed class AdapterEndToEndTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Mention_CodexApproval_AnsweredFromTheRoom()
    {
        using var fakes = FakeTools.Create();
        await using var stage = await GatewayStage.CreateAsync(hub);
        var adapter = Codex(fakes);
        var agentId = stage.Runtime.Host.Add("codexy", AgentTypes.Codex, fakes.Work, adapter).Id;
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        await client.SendMessageAsync(roomId, "@codexy APPROVE the cleanup");
        var request = await client.WaitForAsync("server:permission_request", timeout: TimeSpan.FromSeconds(20));
        Assert.Equal(agentId, request["agentId"]!.GetValue<string>());
        Assert.Equal("Bash", request["toolName"]!.GetValue<string>());
        Assert.Equal("rm -rf build", request["toolInput"]!["command"]!.GetValue<string>());
        var requestId = request["requestId"]!.GetValue<string>();
        await client.SendAsync(new { type = "client:permission_response", requestId, decision = "allow" });

        var complete = (await client.WaitForAsync("server:message_complete", timeout: TimeSpan.FromSeconds(20)))["message"]!;
        Assert.Equal(agentId, complete["senderId"]!.GetValue<string>());
        Assert.Equal("decision=accept", complete["content"]!.GetValue<string>());
        Assert.Contains("decision accept", fakes.Log());
        Assert.Equal(0, stage.Runtime.Host.PendingPermissions);
    }

    [Fact]
    public async Task StopGeneration_CodexTurn_InterruptedAndCompletedOnce()
    {
        using var fakes = FakeTools.Create();
        await using var stage = await GatewayStage.CreateAsync(hub);
        var adapter = Codex(fakes);
        var agentId = stage.Runtime.Host.Add("sleepy", AgentTypes.Codex, fakes.Work, adapter).Id;
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);
        await client.SendMessageAsync(roomId, "@sleepy SLEEP");
        await client.WaitForAsync("server:message_chunk", timeout: TimeSpan.FromSeconds(20));

        await client.SendAsync(new { type = "client:stop_generation", roomId, agentId });

        var complete = (await client.WaitForAsync("server:message_complete", timeout: TimeSpan.FromSeconds(20)))["message"]!;
        Assert.Equal("working", complete["content"]!.GetValue<string>());
        await client.WaitForAsync("server:agent_status", f => f["agent"]!["status"]!.GetValue<string>() == "online");
        Assert.Contains(fakes.Log(), l => l.StartsWith("interrupted ", StringComparison.Ordinal));
        Assert.Single(client.All("server:message_complete"));
    }

    [Theory]
    [InlineData("codex", "fake_codex.py", "thread=thr_")]
    [InlineData("gemini", "fake_gemini.py", "session=new mode=default")]
    public async Task Shortcut_OneAgentOfTheType_RepliesInTheRoom(string type, string fake, string expected)
    {
        using var fakes = FakeTools.Create();
        await using var stage = await GatewayStage.CreateAsync(hub);
        var tools = new Dictionary<string, string> { [type] = fakes.Install(fake) };
        var catalog = new AdapterCatalog(new Dictionary<string, CustomAdapter>(), null, [], toolCommands: tools);
        var settings = stage.Store.LoadSettings()!;
        var (runtime, agent) = AgentShortcutCommand.CreateRuntime(
            stage.Store, settings, catalog, type, fakes.Work, null, NullLoggerFactory.Instance, GatewayStage.FastOptions);
        using var stop = new CancellationTokenSource();
        var run = runtime.RunAsync(stop.Token);
        try
        {
            Assert.Equal(type, agent.Registration.Type);
            Assert.NotEqual(stage.Store.GatewayId(), runtime.Tokens.Settings.GatewayId);
            var defaultName = new Regex($"^{Regex.Escape(Environment.MachineName)}_work_{type}_[0-9a-f]{{4}}$");
            Assert.Matches(defaultName, agent.Registration.Name);
            var roomId = await stage.RoomWithAsync(agent.Id);
            await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

            await client.SendMessageAsync(roomId, $"@{agent.Registration.Name} hello");

            var complete = (await client.WaitForAsync("server:message_complete", timeout: TimeSpan.FromSeconds(20)))["message"]!;
            Assert.Equal(agent.Id, complete["senderId"]!.GetValue<string>());
            Assert.StartsWith(expected, complete["content"]!.GetValue<string>());
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        if (agent.Adapter is CodexAdapter codex)
        {
            Assert.Null(codex.ProcessId);
        }
    }

    [Fact]
    public void Shortcuts_ParseDirectoryNameAndFlags()
    {
        var root = AgentIM.Cli.CommandLine.Build();

        Assert.Empty(root.Parse(["codex", "/tmp", "-n", "helper", "-y", "--pass-env", "OPENAI_API_KEY"]).Errors);
        Assert.Empty(root.Parse(["gemini"]).Errors);
        Assert.Empty(root.Parse(["claude", ".", "--name", "c"]).Errors);
        Assert.NotEmpty(root.Parse(["gemini", "a", "b"]).Errors);
        Assert.NotEmpty(root.Parse(["codex", "-n"]).Errors);
    }

    private static CodexAdapter Codex(FakeTools fakes) =>
        new(new GenericAdapterOptions(fakes.Install("fake_codex.py"), ["app-server"]), false, new SecretRedactor([], null));
}
