using AgentIM.Realtime;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Recovery after a reconnect (issue #4): a tab that drops mid-stream and comes back with a new socket, joins the
/// room and fetches <c>after=</c> its last message, as the web client already does, ends with exactly the history
/// and the stream text of a tab that never dropped: missed messages from history, the reply still streaming from
/// the hub's replay, each chunk once and in order.
/// </summary>
public sealed class ReconnectRecoveryTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Reconnect_MidStream_EndsWithTheSameHistoryAndStreamAsAnUninterruptedClient()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        var bob = await TestUsers.CreateAsync(hub, "bob");
        await stage.Owner.AddMemberAsync(stage.RoomId, bob.UserId, "user");
        await using var steady = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var flaky = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await using var other = await WsPeer.ClientAsync(bob, stage.RoomId);
        var streaming = Unique.Id("resp-long");
        var finishedWhileAway = Unique.Id("resp-short");

        // Before the drop: a question, and the first three chunks of the answer, seen by both tabs.
        await steady.SendMessageAsync(stage.RoomId, "@dev tell me a long story");
        await stage.Gateway.WaitForAsync("server:send_to_agent");
        for (var i = 1; i <= 3; i++)
        {
            await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, streaming, $"part{i} "));
        }

        await flaky.WaitForAsync("server:message_chunk", f => f["chunk"]!["content"]!.GetValue<string>() == "part3 ");
        var lastSeen = flaky.All("server:new_message").Last()["message"]!["createdAt"]!.GetValue<string>();
        flaky.Abort();

        // While away: more chunks, two messages, and a whole other reply that starts and finishes.
        for (var i = 4; i <= 6; i++)
        {
            await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, streaming, $"part{i} "));
        }

        await other.SendMessageAsync(stage.RoomId, "bob says hi while you are away");
        await steady.WaitForAsync(
            "server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "bob says hi while you are away");
        await steady.SendMessageAsync(stage.RoomId, "and alice on her other tab");
        await steady.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "and alice on her other tab");
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, finishedWhileAway, "short "));
        await stage.Gateway.SendAsync(Complete(stage.RoomId, agentId, finishedWhileAway, "short answer"));
        await steady.WaitForAsync("server:message_complete", f => f["message"]!["id"]!.GetValue<string>() == finishedWhileAway);

        // Back: a new socket, the same user; join, then the REST catch-up the web client does.
        await using var back = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var missed = await History.PageAsync(stage.Owner, stage.RoomId, 50, after: lastSeen);

        // The stream goes on and ends after the return.
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, streaming, "part7"));
        await stage.Gateway.SendAsync(Complete(stage.RoomId, agentId, streaming, "part1 part2 part3 part4 part5 part6 part7"));
        await steady.WaitForAsync("server:message_complete", f => f["message"]!["id"]!.GetValue<string>() == streaming);
        await back.WaitForAsync("server:message_complete", f => f["message"]!["id"]!.GetValue<string>() == streaming);
        await steady.PingAsync();
        await back.PingAsync();

        // The stream: every chunk once, in order, the same text as the tab that never dropped.
        Assert.Equal(StreamText(steady, streaming), StreamText(back, streaming));
        Assert.Equal("part1 part2 part3 part4 part5 part6 part7", StreamText(back, streaming));
        Assert.Empty(back.All("server:message_chunk", f => f["messageId"]!.GetValue<string>() == finishedWhileAway));

        // The history: what the dropped tab had, plus the catch-up, plus what arrived live, with no id twice.
        var seenBefore = MessageIds(flaky);
        var caughtUp = missed.Ids.Reverse().ToList();
        var live = MessageIds(back);
        Assert.Empty(seenBefore.Intersect(caughtUp));
        Assert.Empty(caughtUp.Intersect(live));
        Assert.Equal(MessageIds(steady), [.. seenBefore, .. caughtUp, .. live]);
        var stored = (await History.PageAsync(stage.Owner, stage.RoomId, 50)).Ids.Reverse();
        Assert.Equal(stored, MessageIds(steady));
        await flaky.DisposeAsync();
    }

    [Fact]
    public async Task Join_NoStreamInFlight_NothingReplayed()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        await using var first = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var reply = Unique.Id("resp");
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, reply, "done soon"));
        await stage.Gateway.SendAsync(Complete(stage.RoomId, agentId, reply, "done soon"));
        await first.WaitForAsync("server:message_complete");

        await using var later = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await later.SendAsync(new { type = "client:join_room", roomId = stage.RoomId });
        await later.PingAsync();

        Assert.Empty(later.All("server:message_chunk"));
    }

    [Fact]
    public async Task Join_Twice_StreamReplayedOnce()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        await using var watcher = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var reply = Unique.Id("resp");
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, reply, "a"));
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, reply, "b"));
        await watcher.WaitForAsync("server:message_chunk", f => f["chunk"]!["content"]!.GetValue<string>() == "b");

        await using var late = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await late.SendAsync(new { type = "client:join_room", roomId = stage.RoomId });
        await late.PingAsync();

        Assert.Equal("ab", StreamText(late, reply));
    }

    [Fact]
    public async Task Replay_StreamEndsOnStreamTooLargeOrRoomDeleted_NotReplayed()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        var reply = Unique.Id("resp");
        await stage.Gateway.SendAsync(Chunk(stage.RoomId, agentId, reply, "half an answer"));
        await stage.Gateway.PingAsync("gateway:ping");
        Assert.Equal(200, (await stage.Owner.DeleteAsync($"/api/rooms/{stage.RoomId}")).Status);

        var registry = (ConnectionRegistry)hub.Services.GetService(typeof(ConnectionRegistry))!;
        Assert.Null(registry.EndStream(stage.RoomId, reply));
    }

    private static string StreamText(WsPeer peer, string messageId) =>
        string.Concat(peer.All("server:message_chunk", f => f["messageId"]!.GetValue<string>() == messageId)
            .Select(f => f["chunk"]!["content"]!.GetValue<string>()));

    /// <summary>The messages a tab shows, in arrival order: new messages and completed replies, each id once.</summary>
    private static List<string> MessageIds(WsPeer peer) =>
        peer.Received
            .Where(f => f["type"]!.GetValue<string>() is "server:new_message" or "server:message_complete")
            .Select(f => f["message"]!["id"]!.GetValue<string>())
            .ToList();

    private static object Chunk(string roomId, string agentId, string messageId, string content) =>
        new { type = "gateway:message_chunk", roomId, agentId, messageId, chunk = new { type = "text", content } };

    private static object Complete(string roomId, string agentId, string messageId, string fullContent) =>
        new { type = "gateway:message_complete", roomId, agentId, messageId, fullContent };
}

/// <summary>The replay buffer's bounds: per stream, per room, in total, and what ends a stream.</summary>
public sealed class StreamReplayTests
{
    [Fact]
    public void Append_StreamOverItsCap_NoLongerReplayedButStillEndable()
    {
        var replay = new StreamReplay();
        var big = new byte[(int)(StreamReplay.MaxBytesPerStream / 2) + 1];
        replay.Append("r", "m", "a", "agent", big, "x");
        replay.Append("r", "m", "a", "agent", big, "y");

        Assert.Empty(replay.Snapshot("r"));
        Assert.Equal(0, replay.TotalBytes);
        var ended = replay.Remove("r", "m");
        Assert.NotNull(ended);
        Assert.True(ended.Overflowed);
        Assert.Equal(0, replay.StreamCount);
    }

    [Fact]
    public void Append_RoomOverItsCap_LaterStreamNotReplayedEarlierOnesKept()
    {
        var replay = new StreamReplay();
        var frame = new byte[1024 * 1024];
        for (var i = 0; i < 4; i++)
        {
            replay.Append("r", $"m{i}", "a", "agent", frame, null);
        }

        replay.Append("r", "m4", "a", "agent", frame, null);

        Assert.Equal(4, replay.Snapshot("r").Count);
        Assert.Equal(5, replay.StreamCount);
        Assert.Equal(4L * 1024 * 1024, replay.TotalBytes);
    }

    [Fact]
    public void Append_TotalOverItsCap_LongestIdleStreamsDropFirst()
    {
        var replay = new StreamReplay();
        var frame = new byte[1024 * 1024];
        var rooms = (int)(StreamReplay.MaxBytesTotal / frame.Length) + 3;
        for (var i = 0; i < rooms; i++)
        {
            replay.Append($"room{i}", "m", "a", "agent", frame, null);
        }

        Assert.True(replay.TotalBytes <= StreamReplay.MaxBytesTotal);
        Assert.Empty(replay.Snapshot("room0"));
        Assert.Single(replay.Snapshot($"room{rooms - 1}"));
    }

    [Fact]
    public void Snapshot_FramesOfAStream_InOrderAndTextKept()
    {
        var replay = new StreamReplay();
        byte[] one = [1];
        byte[] two = [2];
        replay.Append("r", "m", "a", "agent", one, "hello ");
        replay.Append("r", "m", "a", "agent", two, "world");

        Assert.Equal([one, two], replay.Snapshot("r"));
        Assert.Equal("hello world", replay.Remove("r", "m")!.Text.ToString());
        Assert.Empty(replay.Snapshot("r"));
    }
}
