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
    public async Task RoomWhoseLatestRowIsJustAheadOfTheClock_NextMessageSortsAfterItAtWholeMilliseconds()
    {
        // A row from another writer 300 ms ahead, with microseconds (a node whose clock runs a little fast, an import).
        var alice = await hub.CreateUserAsync("alice");
        var roomId = await alice.CreateRoomAsync("ahead");
        var ahead = WholeMilliseconds(DateTime.UtcNow.AddMilliseconds(300));
        await History.InsertAsync(hub.DatabaseUrl, roomId, alice, ["zz-imported"], Iso(ahead) + "400Z");
        await using var client = await WsPeer.ClientAsync(alice, roomId);

        await client.SendMessageAsync(roomId, "after the import");
        var frame = await client.WaitForAsync("server:new_message");

        Assert.Equal(Iso(ahead.AddMilliseconds(1)) + "Z", frame["message"]!["createdAt"]!.GetValue<string>());
        Assert.Equal([frame["message"]!["id"]!.GetValue<string>(), "zz-imported"], (await History.PageAsync(alice, roomId, 50)).Ids);
    }

    [Fact]
    public async Task RoomWhoseLatestRowIsAnHourAhead_NextMessageKeepsTheClock()
    {
        // Following a row an hour ahead would put every later message of the room an hour off; a second is the most.
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
