using System.Globalization;
using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Messages;

/// <summary>
/// A message stored after another in the same room sorts after it, even when both are stored within one millisecond:
/// created_at keeps whole milliseconds (case B20) and the contract breaks ties by the random id (decisions.md), so the
/// hub never gives a later message of a room the same or an earlier millisecond.
/// </summary>
public sealed class MessageOrderTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    [Fact]
    public async Task MessagesSentBackToBack_KeepTheirOrderInHistoryWithRisingTimestamps()
    {
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("burst");
        await using var client = await WsPeer.ClientAsync(alice, roomId);
        var sent = Enumerable.Range(0, 25).Select(i => $"burst {i:D2}").ToList();

        // No wait between sends: one socket's frames are stored one after another, many within the same millisecond.
        foreach (var content in sent)
        {
            await client.SendMessageAsync(roomId, content);
        }

        var echoes = new List<JsonObject>();
        foreach (var content in sent)
        {
            echoes.Add(await client.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == content));
        }

        var page = await History.PageAsync(alice, roomId, 50);
        var oldestFirst = page.Items.Reverse().ToList();
        Assert.Equal(sent, oldestFirst.Select(m => m["content"]!.GetValue<string>()));
        var instants = oldestFirst.Select(m => DateTimeOffset.Parse(m["createdAt"]!.GetValue<string>())).ToList();
        Assert.All(instants.Zip(instants.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"{pair.First:O} !< {pair.Second:O}"));
        // What the room heard is what was stored, so a createdAt taken from a frame still works as a cursor.
        Assert.Equal(
            echoes.Select(e => e["message"]!["createdAt"]!.GetValue<string>()),
            oldestFirst.Select(m => m["createdAt"]!.GetValue<string>()));
    }

    [Fact]
    public async Task TwoSendersAtOnce_RoomHearsRisingTimestamps_AndAfterEachReturnsExactlyTheLaterOnes()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var carol = await hub.CreateUserAsync("carol");
        var roomId = await alice.CreateRoomAsync("together");
        await alice.AddMemberAsync(roomId, bob.UserId, "user");
        await alice.AddMemberAsync(roomId, carol.UserId, "user");
        await using var watcher = await WsPeer.ClientAsync(carol, roomId);
        await using var fromAlice = await WsPeer.ClientAsync(alice, roomId);
        await using var fromBob = await WsPeer.ClientAsync(bob, roomId);

        // Both sockets send at once: their messages are stored concurrently and share milliseconds.
        await Task.WhenAll(
            SendBurstAsync(fromAlice, roomId, "a"),
            SendBurstAsync(fromBob, roomId, "b"));
        var heard = new List<JsonObject>();
        for (var i = 0; i < 50; i++)
        {
            heard.Add((await watcher.WaitForAsync("server:new_message"))["message"]!.AsObject());
        }

        var instants = heard.Select(m => DateTimeOffset.Parse(m["createdAt"]!.GetValue<string>(), Invariant)).ToList();
        Assert.All(instants.Zip(instants.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"{pair.First:O} !< {pair.Second:O}"));
        var ids = heard.Select(m => m["id"]!.GetValue<string>()).ToList();
        // A client that saw the first k messages and lost its socket catches up from the k-th one's createdAt.
        foreach (var k in new[] { 1, 7, 24, 25, 26, 49 })
        {
            var page = await History.PageAsync(carol, roomId, 100, after: heard[k - 1]["createdAt"]!.GetValue<string>());
            Assert.Equal(ids[k..], page.Ids.Reverse());
        }
    }

    private static async Task SendBurstAsync(WsPeer peer, string roomId, string prefix)
    {
        for (var i = 0; i < 25; i++)
        {
            await peer.SendMessageAsync(roomId, $"{prefix}{i:D2}");
        }
    }

    [Fact]
    public async Task UserMessage_AgentReply_UserMessage_InQuickSuccession_KeepTheirOrder()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        var agentId = stage.AgentIds["dev"];
        await using var client = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        await client.SendMessageAsync(stage.RoomId, "question");
        var question = (await client.WaitForAsync("server:new_message"))["message"]!;
        var reply = Unique.Id("resp");
        await stage.Gateway.SendAsync(new
        {
            type = "gateway:message_complete", roomId = stage.RoomId, agentId, messageId = reply, fullContent = "answer",
        });
        var answer = (await client.WaitForAsync("server:message_complete"))["message"]!;
        await client.SendMessageAsync(stage.RoomId, "follow-up");
        var followUp = (await client.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "follow-up"))
            ["message"]!;

        var instants = new[] { question, answer, followUp }.Select(m => DateTimeOffset.Parse(m["createdAt"]!.GetValue<string>())).ToList();
        Assert.True(instants[0] < instants[1] && instants[1] < instants[2], string.Join(" ", instants.Select(i => i.ToString("O"))));
        var history = await History.PageAsync(stage.Owner, stage.RoomId, 50);
        Assert.Equal([followUp["id"]!.GetValue<string>(), reply, question["id"]!.GetValue<string>()], history.Ids);
    }

    [Fact]
    public async Task RoomWhoseLatestRowIsAnHourAhead_NextMessageKeepsTheClock()
    {
        // Another writer's row an hour ahead does not drag the room's times away from the clock.
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("far ahead");
        await History.InsertAsync(hub.DatabaseUrl, roomId, alice, ["zz-future"], Iso(DateTime.UtcNow.AddHours(1)) + "Z");
        await using var client = await WsPeer.ClientAsync(alice, roomId);
        var before = WholeMilliseconds(DateTime.UtcNow);

        await client.SendMessageAsync(roomId, "now");
        var frame = await client.WaitForAsync("server:new_message");

        var stored = DateTime.Parse(frame["message"]!["createdAt"]!.GetValue<string>(), Invariant, DateTimeStyles.AdjustToUniversal);
        Assert.InRange(stored, before, DateTime.UtcNow.AddSeconds(1));
    }

    private static DateTime WholeMilliseconds(DateTime instant) =>
        new(instant.Ticks - instant.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    private static string Iso(DateTime instant) => instant.ToString("yyyy-MM-ddTHH:mm:ss.fff", Invariant);
}
