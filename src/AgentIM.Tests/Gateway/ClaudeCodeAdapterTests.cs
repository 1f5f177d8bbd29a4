using AgentIM.Gateway;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The claude-code adapter against a fake <c>claude</c> the test writes, speaking the CLI's stream-json lines
/// (init, assistant thinking/tool_use/text, user tool_result, result): the chunk types reach the room, the reply is
/// the assistant's text, and the room's next message resumes the session the first run reported.
/// </summary>
public sealed class ClaudeCodeAdapterTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private const string FakeClaude = """
        cat > /dev/null
        resume=none
        while [ $# -gt 0 ]; do
          if [ "$1" = "--resume" ]; then resume=$2; fi
          shift
        done
        echo '{"type":"system","subtype":"init","session_id":"sess-1","model":"fake"}'
        printf '%s%s\n' '{"type":"assistant","message":{"content":[{"type":"thinking","thinking":"pondering"},' \
          '{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]},"session_id":"sess-1"}'
        printf '%s%s\n' '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"toolu_1",' \
          '"content":"file.txt"}]},"session_id":"sess-1"}'
        printf '{"type":"assistant","message":{"content":[{"type":"text","text":"resume=%s"}]},"session_id":"sess-1"}\n' "$resume"
        echo '{"type":"result","subtype":"success","is_error":false,"result":"resume","session_id":"sess-1","total_cost_usd":0.01}'
        """;

    [Fact]
    public async Task Mention_ClaudeAgent_ChunkTypesStreamedAndSessionResumed()
    {
        await using var stage = await GatewayStage.CreateAsync(hub);
        var claude = stage.Script("claude", FakeClaude);
        var adapter = new ClaudeCodeAdapter(new GenericAdapterOptions(claude, []), bypassPermissions: true, new SecretRedactor([], null));
        var agentId = stage.Runtime.Host.Add("claudy", AgentTypes.ClaudeCode, null, adapter).Id;
        await stage.StartAsync();
        var roomId = await stage.RoomWithAsync(agentId);
        await using var client = await WsPeer.ClientAsync(stage.Owner, roomId);

        await client.SendMessageAsync(roomId, "@claudy list files");
        var first = (await client.WaitForAsync("server:message_complete", timeout: TimeSpan.FromSeconds(20)))["message"]!;
        await client.SendMessageAsync(roomId, "@claudy again");
        var firstId = first["id"]!.GetValue<string>();
        var second = (await client.WaitForAsync(
            "server:message_complete", m => m["message"]!["id"]!.GetValue<string>() != firstId, TimeSpan.FromSeconds(20)))["message"]!;

        Assert.Equal("resume=none", first["content"]!.GetValue<string>());
        Assert.Equal("resume=sess-1", second["content"]!.GetValue<string>());
        var types = client.All("server:message_chunk", c => c["messageId"]!.GetValue<string>() == first["id"]!.GetValue<string>())
            .Select(c => c["chunk"]!["type"]!.GetValue<string>()).ToList();
        Assert.Equal(["thinking", "tool_use", "tool_result", "text"], types);
        var toolUse = client.All("server:message_chunk").First(c => c["chunk"]!["type"]!.GetValue<string>() == "tool_use")["chunk"]!;
        Assert.Equal("Bash", toolUse["metadata"]!["toolName"]!.GetValue<string>());
        Assert.Equal("toolu_1", toolUse["metadata"]!["toolId"]!.GetValue<string>());
        Assert.Contains("\"command\": \"ls\"", toolUse["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Result_Error_FailsTheReply()
    {
        var dir = Directory.CreateTempSubdirectory("agentim-claude-").FullName;
        try
        {
            var claude = Path.Combine(dir, "claude");
            const string ResultLine = "{\"type\":\"result\",\"subtype\":\"error_max_turns\",\"is_error\":true,\"session_id\":\"s\"}";
            await File.WriteAllTextAsync(claude, $"#!/bin/sh\ncat > /dev/null\necho '{ResultLine}'\n");
            File.SetUnixFileMode(claude, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var adapter = new ClaudeCodeAdapter(
                new GenericAdapterOptions(claude, []), bypassPermissions: false, new SecretRedactor([], null));

            var result = await adapter.RunAsync(new AdapterRequest("hi", "room", null), _ => Task.CompletedTask, CancellationToken.None);

            Assert.Equal("error_max_turns", result.Error);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
