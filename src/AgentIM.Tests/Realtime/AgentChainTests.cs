using System.Globalization;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Agent-to-agent routing (behaviour.md §1.4) on a hub with chain depth 2 and 3 routed completions per agent:
/// a reply that mentions another room agent reaches it as <c>send_to_agent</c> from the agent, one hop deeper, in the
/// same conversation; the depth limit, loop detection and the agent rate limit stop it; and the response-time
/// histogram measures a send until the agent's completion.
/// </summary>
public sealed class AgentChainTests(ShortTimersHubFixture hub) : IClassFixture<ShortTimersHubFixture>
{
    [Fact]
    public async Task Complete_MentionsRoomAgent_RoutedOneHopDeeper()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev", "qa");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var replyId = Unique.Id("reply");

        await stage.Gateway.SendAsync(Complete(stage, "dev", replyId, "@qa please check, and @dev too", "conv-1", 0));
        await client.WaitForAsync("server:message_complete");
        var send = await stage.Gateway.WaitForAsync("server:send_to_agent");

        Assert.Equal(stage.AgentIds["qa"], send["agentId"]!.GetValue<string>());
        Assert.Equal(replyId, send["messageId"]!.GetValue<string>());
        Assert.Equal("@qa please check, and @dev too", send["content"]!.GetValue<string>());
        Assert.Equal("dev", send["senderName"]!.GetValue<string>());
        Assert.Equal("agent", send["senderType"]!.GetValue<string>());
        Assert.Equal("direct", send["routingMode"]!.GetValue<string>());
        Assert.Equal("conv-1", send["conversationId"]!.GetValue<string>());
        Assert.Equal(1, send["depth"]!.GetValue<int>());
        await stage.Gateway.PingAsync("gateway:ping");
        Assert.Single(stage.Gateway.All("server:send_to_agent"));
    }

    [Fact]
    public async Task Complete_NoConversationId_NewConversationAtDepthOne()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev", "qa");

        await stage.Gateway.SendAsync(Complete(stage, "dev", Unique.Id("reply"), "@qa go", null, null));
        var send = await stage.Gateway.WaitForAsync("server:send_to_agent");

        Assert.False(string.IsNullOrEmpty(send["conversationId"]!.GetValue<string>()));
        Assert.Equal(1, send["depth"]!.GetValue<int>());
    }

    [Fact]
    public async Task Complete_AtDepthLimit_NotRouted()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev", "qa");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);

        await stage.Gateway.SendAsync(Complete(stage, "dev", Unique.Id("reply"), "@qa deep", Unique.Id("conv"), 2));
        await stage.Gateway.SendAsync(Complete(stage, "dev", Unique.Id("reply"), "@qa shallower", Unique.Id("conv"), 1));
        var send = await stage.Gateway.WaitForAsync("server:send_to_agent");
        await stage.Gateway.PingAsync("gateway:ping");

        Assert.Equal("@qa shallower", send["content"]!.GetValue<string>());
        Assert.Equal(2, send["depth"]!.GetValue<int>());
        Assert.Single(stage.Gateway.All("server:send_to_agent"));
        // The reply at the limit is still stored and shown.
        await client.WaitForAsync("server:message_complete", f => f["message"]!["content"]!.GetValue<string>() == "@qa deep");
    }

    [Fact]
    public async Task Complete_MentionsAgentThatAlreadyReplied_LoopStopped()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev", "qa");
        var conversation = Unique.Id("conv");

        await stage.Gateway.SendAsync(Complete(stage, "dev", Unique.Id("reply"), "@qa your turn", conversation, 0));
        await stage.Gateway.WaitForAsync("server:send_to_agent", f => f["agentId"]!.GetValue<string>() == stage.AgentIds["qa"]);
        await stage.Gateway.SendAsync(Complete(stage, "qa", Unique.Id("reply"), "@dev back to you", conversation, 1));
        await stage.Gateway.PingAsync("gateway:ping");

        Assert.Empty(stage.Gateway.All("server:send_to_agent", f => f["agentId"]!.GetValue<string>() == stage.AgentIds["dev"]));

        // Another conversation is not affected.
        await stage.Gateway.SendAsync(Complete(stage, "qa", Unique.Id("reply"), "@dev fresh", Unique.Id("conv"), 0));
        await stage.Gateway.WaitForAsync("server:send_to_agent", f => f["agentId"]!.GetValue<string>() == stage.AgentIds["dev"]);
    }

    [Fact]
    public async Task Complete_OverAgentRateLimit_StoredAndShownButNotRouted()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev", "qa");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var total = ShortTimersHubFixture.AgentRateLimitMax + 1;

        for (var i = 0; i < total; i++)
        {
            await stage.Gateway.SendAsync(Complete(stage, "dev", Unique.Id("reply"), $"@qa item {i}", Unique.Id("conv"), 0));
        }

        await client.WaitForAsync("server:message_complete", f => f["message"]!["content"]!.GetValue<string>() == $"@qa item {total - 1}");
        await stage.Gateway.PingAsync("gateway:ping");

        var routed = stage.Gateway.All("server:send_to_agent").Select(f => f["content"]!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Range(0, total - 1).Select(i => $"@qa item {i}"), routed);
        Assert.Equal(total, client.All("server:message_complete").Count());
    }

    [Fact]
    public async Task AgentResponseDuration_SendThenCompletion_ObservedOnce()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var before = await ResponseCountAsync();

        // A completion nobody asked for is not a response time.
        await stage.Gateway.SendAsync(Complete(stage, "dev", Unique.Id("reply"), "unprompted", null, null));
        await client.WaitForAsync("server:message_complete");
        Assert.Equal(before, await ResponseCountAsync());

        await client.SendMessageAsync(stage.RoomId, "@dev hello");
        await stage.Gateway.WaitForAsync("server:send_to_agent");
        await stage.Gateway.SendAsync(Complete(stage, "dev", Unique.Id("reply"), "hi there", null, null));
        await client.WaitForAsync("server:message_complete", f => f["message"]!["content"]!.GetValue<string>() == "hi there");

        Assert.Equal(before + 1, await ResponseCountAsync());
    }

    private async Task<long> ResponseCountAsync()
    {
        var text = await hub.Http.GetStringAsync("/api/metrics");
        var line = text.Split('\n').Single(l => l.StartsWith("agentim_agent_response_duration_seconds_count", StringComparison.Ordinal));
        return long.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
    }

    internal static object Complete(AgentRoom stage, string agent, string messageId, string content, string? conversationId, int? depth) =>
        new Dictionary<string, object?>
        {
            ["type"] = "gateway:message_complete",
            ["roomId"] = stage.RoomId,
            ["agentId"] = stage.AgentIds[agent],
            ["messageId"] = messageId,
            ["fullContent"] = content,
            ["conversationId"] = conversationId,
            ["depth"] = depth,
        }.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value);
}
