using AgentIM.Realtime;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// The sender cooldown of behaviour.md §1.2 step 6: while a gateway reports messages queued for its agent, one
/// sender reaches that agent at most once per min(15 s × depth, 120 s) and is told, alone, to wait; others still
/// get through, and a depth of zero lifts it.
/// </summary>
public sealed class SenderCooldownTests(HubFixture hub) : IClassFixture<HubFixture>, IAsyncLifetime
{
    private AgentRoom _stage = null!;
    private WsPeer _alice = null!;
    private WsPeer _bob = null!;
    private string _agentId = null!;

    public async Task InitializeAsync()
    {
        _stage = await AgentRoom.CreateAsync(hub, "slowpoke");
        _agentId = _stage.AgentIds["slowpoke"];
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await _stage.Owner.AddMemberAsync(_stage.RoomId, bob.UserId, "user");
        _alice = await WsPeer.ClientAsync(_stage.Owner, _stage.RoomId);
        _bob = await WsPeer.ClientAsync(bob, _stage.RoomId);
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        await _stage.DisposeAsync();
    }

    [Fact]
    public async Task A_busy_agent_holds_back_a_repeat_sender_only_until_its_queue_is_empty()
    {
        await ReportAsync("busy", 2);

        // First send while busy goes through and starts alice's 30 s cooldown (15 s × 2 queued).
        await SendAndCountRoutedAsync(_alice, "@slowpoke first", expectRouted: 1);

        var second = await SendAndCountRoutedAsync(_alice, "@slowpoke second", expectRouted: 0);
        var notice = await _alice.WaitForAsync(
            "server:new_message", f => f["message"]!["senderType"]!.GetValue<string>() == "system" && Text(f).Contains("busy"));
        Assert.Contains("2 pending messages", Text(notice), StringComparison.Ordinal);
        var wait = int.Parse(System.Text.RegularExpressions.Regex.Match(Text(notice), @"wait (\d+) s").Groups[1].Value);
        Assert.InRange(wait, 25, 30);
        Assert.Equal("system", notice["message"]!["type"]!.GetValue<string>());

        // The notice is for alice's socket alone; the stored message itself still reached the whole room.
        await _bob.WaitForAsync("server:new_message", f => f["message"]!["id"]!.GetValue<string>() == second);
        await _bob.PingAsync();
        Assert.Empty(_bob.All("server:new_message", f => f["message"]!["senderType"]!.GetValue<string>() == "system"));

        // Another sender is not held back by alice's cooldown.
        await SendAndCountRoutedAsync(_bob, "@slowpoke from bob", expectRouted: 1);

        // The queue drained: the cooldown no longer applies.
        await ReportAsync("online", 0);
        await SendAndCountRoutedAsync(_alice, "@slowpoke third", expectRouted: 1);
    }

    [Fact]
    public async Task Without_a_reported_queue_nobody_waits()
    {
        await ReportAsync("busy", 0);
        for (var i = 0; i < 3; i++)
        {
            await SendAndCountRoutedAsync(_alice, $"@slowpoke again {i}", expectRouted: 1);
        }

        Assert.Empty(_alice.All("server:new_message", f => f["message"]!["senderType"]!.GetValue<string>() == "system"));
    }

    [Fact]
    public void The_cooldown_grows_with_the_queue_caps_at_two_minutes_and_expires()
    {
        var clock = new ManualClock();
        var cooldowns = new SenderCooldowns(clock);
        cooldowns.ReportQueueDepth("a1", 20);
        Assert.Null(cooldowns.TryPass("u1", "a1"));
        clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(1, (int)Math.Ceiling(cooldowns.TryPass("u1", "a1")!.Value.Remaining.TotalSeconds));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cooldowns.TryPass("u1", "a1"));

        cooldowns.ReportQueueDepth("a1", 1);
        clock.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(1, cooldowns.TryPass("u1", "a1")!.Value.QueueDepth);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cooldowns.TryPass("u1", "a1"));

        cooldowns.Forget("a1");
        Assert.Null(cooldowns.TryPass("u1", "a1"));
    }

    [Fact]
    public void The_send_times_stay_bounded()
    {
        var clock = new ManualClock();
        var cooldowns = new SenderCooldowns(clock);
        cooldowns.ReportQueueDepth("a1", 1);
        for (var i = 0; i < SenderCooldowns.MaxEntries + 500; i++)
        {
            Assert.Null(cooldowns.TryPass($"u{i}", "a1"));
        }

        // Past the bound new senders are let through unrecorded; once entries age out, recording resumes.
        Assert.Null(cooldowns.TryPass($"u{SenderCooldowns.MaxEntries + 1}", "a1"));
        clock.Advance(TimeSpan.FromSeconds(121));
        Assert.Null(cooldowns.TryPass("late", "a1"));
        Assert.NotNull(cooldowns.TryPass("late", "a1"));
    }

    private async Task ReportAsync(string status, int depth)
    {
        await _stage.Gateway.SendAsync(new { type = "gateway:agent_status", agentId = _agentId, status, queueDepth = depth });
        await _alice.WaitForAsync("server:agent_status", f => f["agent"]?["id"]?.GetValue<string>() == _agentId
            && f["agent"]!["status"]!.GetValue<string>() == status);
    }

    /// <summary>Sends as a client and returns the stored message's id once the gateway saw every send it will get.</summary>
    private async Task<string> SendAndCountRoutedAsync(WsPeer sender, string content, int expectRouted)
    {
        await sender.SendMessageAsync(_stage.RoomId, content);
        var message = await sender.WaitForAsync("server:new_message", f => Text(f) == content);
        var id = message["message"]!["id"]!.GetValue<string>();
        await sender.PingAsync();
        await _stage.Gateway.PingAsync("gateway:ping");
        Assert.Equal(expectRouted, _stage.Gateway.All("server:send_to_agent", f => f["messageId"]!.GetValue<string>() == id).Count());
        return id;
    }

    private static string Text(System.Text.Json.Nodes.JsonObject frame) => frame["message"]!["content"]!.GetValue<string>();

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
