using System.Text.Json.Nodes;
using AgentIM.Gateway;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The claude-code adapter against <see cref="FakeClaude"/>, through a real gateway and hub: chunk types reach the
/// room; one long-lived process serves a room and a new one resumes the room's session; tool approvals travel as
/// permission requests to the room and the client's allow, deny or silence decides; stop ends the process for real.
/// </summary>
public sealed class ClaudeCodeAdapterTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan Reply = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Mention_ClaudeAgent_ChunkTypesStreamed()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var (agentId, _) = AddClaude(stage, bypass: true);
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        await client.SendMessageAsync(roomId, "@claudy list-files please");

        var complete = (await client.WaitForAsync("server:message_complete", timeout: Reply))["message"]!;
        Assert.StartsWith("pid=", Content(complete));
        Assert.Contains("mode=bypassPermissions", Content(complete));
        var types = client.All("server:message_chunk", c => Id(c, "messageId") == Id(complete, "id"))
            .Select(c => c["chunk"]!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["thinking", "tool_use", "tool_result", "text"], types);
        var toolUse = client.All("server:message_chunk").First(c => c["chunk"]!["type"]!.GetValue<string>() == "tool_use")["chunk"]!;
        Assert.Equal("Bash", toolUse["metadata"]!["toolName"]!.GetValue<string>());
        Assert.Equal("toolu_1", toolUse["metadata"]!["toolId"]!.GetValue<string>());
        Assert.Contains("\"command\": \"ls\"", toolUse["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Messages_SameRoom_OneProcessThenResumedAfterItEnds()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var workdir = Directory.CreateDirectory(Path.Combine(stage.Scripts, "project")).FullName;
        var (agentId, adapter) = AddClaude(stage, bypass: true, workdir, idle: TimeSpan.FromSeconds(2));
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        var first = await AskAsync(client, roomId, "@claudy one");
        var second = await AskAsync(client, roomId, "@claudy two");
        var firstPid = Field(first, "pid");
        Assert.Equal(firstPid, Field(second, "pid"));
        Assert.Equal("none", Field(first, "resume"));
        Assert.Equal("2", Field(second, "turn"));
        Assert.Equal(int.Parse(firstPid), adapter.ProcessIdFor(roomId));

        // Quiet for longer than the idle timeout: the process ends; the next message resumes the session.
        await Eventually.AssertAsync(() => Task.FromResult(!ProcessTree.IsAlive(int.Parse(firstPid))), "idle process ended");
        var third = await AskAsync(client, roomId, "@claudy three");

        Assert.NotEqual(firstPid, Field(third, "pid"));
        Assert.Equal($"sess-{firstPid}", Field(third, "resume"));
        Assert.Equal("1", Field(third, "turn"));
        var saved = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(workdir, ".claude", ".agentim-sessions.json")))!;
        Assert.Equal($"sess-{firstPid}", saved[roomId]!.GetValue<string>());
    }

    [Fact]
    public async Task SavedSession_ResumeFails_RetriedWithoutIt()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var workdir = Directory.CreateDirectory(Path.Combine(stage.Scripts, "project")).FullName;
        var (agentId, _) = AddClaude(stage, bypass: true, workdir);
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        Directory.CreateDirectory(Path.Combine(workdir, ".claude"));
        await File.WriteAllTextAsync(Path.Combine(workdir, ".claude", ".agentim-sessions.json"), $"{{\"{roomId}\":\"broken\"}}");
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        var reply = await AskAsync(client, roomId, "@claudy hello");

        Assert.Equal("none", Field(reply, "resume"));
        Assert.Single(client.All("server:message_complete"));
    }

    [Fact]
    public async Task PermissionRequest_AllowedFromClient_ToolRuns()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var (agentId, _) = AddClaude(stage, bypass: false);
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        await client.SendMessageAsync(roomId, "@claudy needs-approval");
        var request = await client.WaitForAsync("server:permission_request", timeout: Reply);
        Assert.Equal("Bash", request["toolName"]!.GetValue<string>());
        Assert.Equal("rm -rf build", request["toolInput"]!["command"]!.GetValue<string>());
        Assert.Equal(agentId, request["agentId"]!.GetValue<string>());
        await client.SendAsync(new { type = "client:permission_response", requestId = Id(request, "requestId"), decision = "allow" });

        var complete = (await client.WaitForAsync("server:message_complete", timeout: Reply))["message"]!;
        Assert.StartsWith("approved. pid=", Content(complete));
        Assert.Contains("mode=default", Content(complete));
        Assert.Contains(client.All("server:message_chunk"), c => c["chunk"]!["type"]!.GetValue<string>() == "tool_use");
        Assert.Equal(0, stage.Runtime.Host.PendingPermissions);
    }

    [Fact]
    public async Task PermissionRequest_DeniedFromClient_AgentToldWhy()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var (agentId, _) = AddClaude(stage, bypass: false);
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        await client.SendMessageAsync(roomId, "@claudy needs-approval");
        var request = await client.WaitForAsync("server:permission_request", timeout: Reply);
        await client.SendAsync(new
        {
            type = "client:permission_response",
            requestId = Id(request, "requestId"),
            decision = "deny",
            denyReason = "not on main",
        });

        var complete = (await client.WaitForAsync("server:message_complete", timeout: Reply))["message"]!;
        Assert.StartsWith("denied: not on main. pid=", Content(complete));
        Assert.DoesNotContain(client.All("server:message_chunk"), c => c["chunk"]!["type"]!.GetValue<string>() == "tool_use");
    }

    [Fact]
    public async Task PermissionRequest_Unanswered_DeniedWhenItTimesOut()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var (agentId, _) = AddClaude(stage, bypass: false, permissionTimeout: TimeSpan.FromSeconds(2));
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        await client.SendMessageAsync(roomId, "@claudy needs-approval");
        var request = await client.WaitForAsync("server:permission_request", timeout: Reply);

        var complete = (await client.WaitForAsync("server:message_complete", timeout: Reply))["message"]!;
        Assert.StartsWith("denied: ", Content(complete));
        Assert.Contains("timed out", Content(complete));
        Assert.Single(client.All("server:message_complete"));
        Assert.Equal(0, stage.Runtime.Host.PendingPermissions);
        Assert.NotNull(Id(request, "requestId"));
    }

    [Fact]
    public async Task StopGeneration_EndsTheRoomProcessAndForgetsTheSession()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var workdir = Directory.CreateDirectory(Path.Combine(stage.Scripts, "project")).FullName;
        var (agentId, _) = AddClaude(stage, bypass: true, workdir);
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);
        var first = await AskAsync(client, roomId, "@claudy hello");

        await client.SendMessageAsync(roomId, "@claudy sleep-forever");
        var pidFile = Path.Combine(workdir, "fake-claude.pid");
        await Eventually.AssertAsync(() => Task.FromResult(File.Exists(pidFile)), "the long turn started");
        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim());
        Assert.Equal(Field(first, "pid"), pid.ToString());
        await client.SendAsync(new { type = "client:stop_generation", roomId, agentId });

        var stopped = (await client.WaitForAsync(
            "server:message_complete", m => Id(m["message"]!, "id") != Id(first, "id"), Reply))["message"]!;
        Assert.Equal("working", Content(stopped));
        await Eventually.AssertAsync(() => Task.FromResult(!ProcessTree.IsAlive(pid)), "the claude process is gone");
        var after = await AskAsync(client, roomId, "@claudy fresh start");
        Assert.Equal("none", Field(after, "resume"));
        Assert.NotEqual(pid.ToString(), Field(after, "pid"));
    }

    [Fact]
    public async Task Result_Error_FailsTheReply()
    {
        var dir = Directory.CreateTempSubdirectory("agentim-claude-").FullName;
        try
        {
            var claude = Path.Combine(dir, "claude");
            await File.WriteAllTextAsync(claude, "#!/bin/sh\n" + FakeClaude.Script + "\n");
            File.SetUnixFileMode(claude, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var adapter = new ClaudeCodeAdapter(
                new GenericAdapterOptions(claude, []), bypassPermissions: false, new SecretRedactor([], null));

            var request = new AdapterRequest("fail-turn", "room", dir);
            var result = await adapter.RunAsync(request, _ => Task.CompletedTask, CancellationToken.None);
            await adapter.StopAllAsync(forgetSessions: true);

            Assert.Equal("error_max_turns", result.Error);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (string AgentId, ClaudeCodeAdapter Adapter) AddClaude(
        GatewayStage stage, bool bypass, string? workdir = null, TimeSpan? idle = null, TimeSpan? permissionTimeout = null)
    {
        var claude = stage.Script("claude", FakeClaude.Script);
        var adapter = new ClaudeCodeAdapter(new GenericAdapterOptions(claude, []), bypass, new SecretRedactor([], null))
        {
            IdleTimeout = idle ?? TimeSpan.FromMinutes(5),
            PermissionTimeout = permissionTimeout ?? TimeSpan.FromSeconds(60),
        };
        return (stage.Runtime.Host.Add("claudy", AgentTypes.ClaudeCode, workdir, adapter).Id, adapter);
    }

    /// <summary>Sends a message and returns the reply that follows it.</summary>
    private static async Task<JsonNode> AskAsync(WsPeer client, string roomId, string text)
    {
        var seen = client.All("server:message_complete").Select(f => Id(f["message"]!, "id")).ToHashSet();
        await client.SendMessageAsync(roomId, text);
        var reply = await client.WaitForAsync("server:message_complete", f => !seen.Contains(Id(f["message"]!, "id")), Reply);
        return reply["message"]!;
    }

    /// <summary>A <c>key=value</c> of the fake's closing line.</summary>
    private static string Field(JsonNode message, string key) =>
        Content(message).Split(' ').Single(p => p.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];

    private static string Content(JsonNode message) => message["content"]!.GetValue<string>();

    private static string Id(JsonNode node, string name) => node[name]!.GetValue<string>();
}
