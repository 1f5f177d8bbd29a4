using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>The spine: a person mentions an agent, the agent streams a reply through its gateway, everyone sees it.</summary>
public sealed class AgentConversationTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task MentionedAgent_StreamsReply_ClientSeesChunksInOrderAndHistoryHoldsBoth()
    {
        var alice = await hub.CreateUserAsync("alice");
        var room = await alice.CreateRoomAsync("spine");
        var agentId = $"ag-{Guid.NewGuid():N}"[..20];
        await using var gateway = await WsPeer.GatewayAsync(alice, $"gw-{Guid.NewGuid():N}"[..20], (agentId, "dev"));
        await alice.AddMemberAsync(room, agentId, "agent");
        await using var client = await WsPeer.ClientAsync(alice, room);

        await client.SendAsync(
            new { type = "client:send_message", roomId = room, content = "@dev hello", mentions = Array.Empty<string>() });

        var sent = await client.WaitForAsync("server:new_message");
        Assert.Equal("@dev hello", sent["message"]!["content"]!.GetValue<string>());
        Assert.Equal(["dev"], sent["message"]!["mentions"]!.AsArray().Select(n => n!.GetValue<string>()));
        var toAgent = await gateway.WaitForAsync("server:send_to_agent");
        Assert.Equal(agentId, toAgent["agentId"]!.GetValue<string>());
        Assert.Equal(sent["message"]!["id"]!.GetValue<string>(), toAgent["messageId"]!.GetValue<string>());
        Assert.Equal("direct", toAgent["routingMode"]!.GetValue<string>());

        var replyId = $"resp-{Guid.NewGuid():N}"[..24];
        foreach (var piece in new[] { "one ", "two ", "three" })
        {
            await gateway.SendAsync(new
            {
                type = "gateway:message_chunk", roomId = room, agentId, messageId = replyId, chunk = new { type = "text", content = piece },
            });
        }

        await gateway.SendAsync(
            new { type = "gateway:message_complete", roomId = room, agentId, messageId = replyId, fullContent = "one two three" });

        var chunks = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            chunks.Add((await client.WaitForAsync("server:message_chunk"))["chunk"]!["content"]!.GetValue<string>());
        }

        Assert.Equal(["one ", "two ", "three"], chunks);
        var complete = await client.WaitForAsync("server:message_complete");
        Assert.Equal(replyId, complete["message"]!["id"]!.GetValue<string>());
        Assert.Equal("agent_response", complete["message"]!["type"]!.GetValue<string>());
        Assert.Equal("dev", complete["message"]!["senderName"]!.GetValue<string>());

        var (status, history) = await alice.GetAsync($"/api/messages/rooms/{room}");
        Assert.Equal(200, status);
        var items = history!["data"]!["items"]!.AsArray();
        Assert.Equal([replyId, sent["message"]!["id"]!.GetValue<string>()], items.Select(i => i!["id"]!.GetValue<string>()));
    }
}
