using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Case B18 end to end: in a room with agents dev, dev-ops, qa_bot, code and code.reviewer on one gateway, each
/// message reaches exactly the agents it mentions (by <c>server:send_to_agent</c>), and <c>new_message.mentions</c>
/// lists exactly those agents.
/// </summary>
public sealed class MentionRoutingB18Tests(HubFixture hub) : IClassFixture<HubFixture>, IAsyncLifetime
{
    private static readonly string[] AgentNames = ["dev", "dev-ops", "qa_bot", "code", "code.reviewer"];

    private AgentRoom _stage = null!;
    private WsPeer _client = null!;

    public async Task InitializeAsync()
    {
        _stage = await AgentRoom.CreateAsync(hub, AgentNames);
        _client = await WsPeer.ClientAsync(_stage.Owner, _stage.RoomId);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _stage.DisposeAsync();
    }

    [Theory]
    [InlineData("@dev-ops please check", "dev-ops")]
    [InlineData("thanks @dev.", "dev")]
    [InlineData("@dev-ops, @qa_bot: go!", "dev-ops", "qa_bot")]
    [InlineData("(@qa_bot)", "qa_bot")]
    [InlineData("mail ops@dev.example.com")]
    [InlineData("@Dev-Ops status?", "dev-ops")]
    [InlineData("مرحبا @dev-ops", "dev-ops")]
    [InlineData("\u200F@dev-ops\u200F", "dev-ops")]
    [InlineData("@devops")]
    [InlineData("ask @code.reviewer.", "code.reviewer")]
    [InlineData("ask @code, then @code.reviewer", "code", "code.reviewer")]
    [InlineData("@dev @DEV @dev", "dev")]
    [InlineData("@dev_ hi @qa_bot_", "dev", "qa_bot")]
    [InlineData("no mention at all")]
    [InlineData("@ dev and @@qa_bot", "qa_bot")]
    public async Task SendMessage_Mentions_RoutedToExactlyTheMentionedAgents(string content, params string[] expected)
    {
        await _client.SendMessageAsync(_stage.RoomId, content);

        var message = (await _client.WaitForAsync(
            "server:new_message", f => f["message"]!["content"]!.GetValue<string>() == content))["message"]!;
        var messageId = message["id"]!.GetValue<string>();

        // The sends to agents follow the broadcast in the same handler: a ping on each socket proves they are all out.
        await _client.PingAsync();
        await _stage.Gateway.PingAsync("gateway:ping");
        var routed = _stage.Gateway.All("server:send_to_agent", f => f["messageId"]!.GetValue<string>() == messageId).ToList();
        var byId = _stage.AgentIds.ToDictionary(a => a.Value, a => a.Key);
        Assert.Equal(expected.Order(), routed.Select(f => byId[f["agentId"]!.GetValue<string>()]).Order());
        Assert.Equal(expected.Order(), message["mentions"]!.AsArray().Select(n => n!.GetValue<string>()).Order());
        Assert.All(routed, f =>
        {
            Assert.Equal(content, f["content"]!.GetValue<string>());
            Assert.Equal("direct", f["routingMode"]!.GetValue<string>());
            Assert.Equal("user", f["senderType"]!.GetValue<string>());
            Assert.Equal(_stage.Owner.Username, f["senderName"]!.GetValue<string>());
            Assert.Equal(0, f["depth"]!.GetValue<int>());
        });
        Assert.Single(routed.Select(f => f["conversationId"]!.GetValue<string>()).Distinct().DefaultIfEmpty(""));
        Assert.Empty(_client.All("server:error"));
        Assert.Empty(_client.All("server:new_message", f => f["message"]!["senderType"]!.GetValue<string>() == "system"));
    }
}
