using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// Case B17 over the sockets: text PostgreSQL cannot store is cleaned the same way on every path (NUL dropped, a
/// lone surrogate becomes U+FFFD), never an INTERNAL_ERROR; real Unicode round-trips exactly; the length limit
/// counts UTF-16 units, exactly at the limit is accepted and one over is rejected.
/// </summary>
public sealed class MessageTextTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private const int MaxContentLength = 100_000;

    [Theory]
    [InlineData("a\\u0000b", "ab")]
    [InlineData("\\u0000\\u0000x\\u0000", "x")]
    [InlineData("\\ud83d", "\uFFFD")]
    [InlineData("x\\udc00y", "x\uFFFDy")]
    [InlineData("\\ude00\\ud83d", "\uFFFD\uFFFD")]
    [InlineData("ok \\ud83d\\ude00 \\ud83d", "ok \U0001F600 \uFFFD")]
    public async Task SendMessage_NulOrLoneSurrogate_StoredCleanedAndNextMessageWorks(string jsonEscaped, string expected)
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        await using var socket = await WsPeer.ClientAsync(alice, room);

        await socket.SendTextAsync($$"""{"type":"client:send_message","roomId":"{{room}}","content":"{{jsonEscaped}}","mentions":[]}""");

        var echo = await socket.WaitForAsync("server:new_message");
        Assert.Equal(expected, echo["message"]!["content"]!.GetValue<string>());
        await socket.SendMessageAsync(room, "next");
        await socket.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "next");
        Assert.Empty(socket.All("server:error"));
        var stored = (await HistoryAsync(alice, room)).Select(m => m["content"]!.GetValue<string>());
        Assert.Equal(new[] { expected, "next" }.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SendMessage_OnlyNul_InvalidMessageAndNothingStored()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        await using var socket = await WsPeer.ClientAsync(alice, room);

        await socket.SendTextAsync($$"""{"type":"client:send_message","roomId":"{{room}}","content":"\u0000","mentions":[]}""");

        await socket.ExpectErrorAsync("INVALID_MESSAGE");
        await socket.PingAsync();
        Assert.Empty(await HistoryAsync(alice, room));
    }

    [Fact]
    public async Task SendMessage_ComplexUnicode_RoundTripsExactlyAndRoutesMention()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev-ops");
        await using var socket = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        const string content = "👩‍💻 مرحبا @dev-ops שלום \u202Eabc\u202C ✔️ 🇺🇦 e\u0301 \uFEFF 𝔘𝔫𝔦";

        await socket.SendMessageAsync(stage.RoomId, content);

        var echo = (await socket.WaitForAsync("server:new_message"))["message"]!;
        Assert.Equal(content, echo["content"]!.GetValue<string>());
        Assert.Equal(["dev-ops"], echo["mentions"]!.AsArray().Select(n => n!.GetValue<string>()));
        var toAgent = await stage.Gateway.WaitForAsync("server:send_to_agent");
        Assert.Equal(content, toAgent["content"]!.GetValue<string>());
        var stored = Assert.Single(await HistoryAsync(stage.Owner, stage.RoomId));
        Assert.Equal(content, stored["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendMessage_ExactlyMaxLengthInAscii_AcceptedUntruncated()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        await using var socket = await WsPeer.ClientAsync(alice, room);

        await socket.SendMessageAsync(room, new string('a', MaxContentLength));

        var echo = await socket.WaitForAsync("server:new_message");
        Assert.Equal(MaxContentLength, echo["message"]!["content"]!.GetValue<string>().Length);
        Assert.Equal(MaxContentLength, Assert.Single(await HistoryAsync(alice, room))["content"]!.GetValue<string>().Length);
    }

    [Fact]
    public async Task SendMessage_OneOverMaxLength_MessageTooLargeAndSocketStaysOpen()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        await using var socket = await WsPeer.ClientAsync(alice, room);

        await socket.SendMessageAsync(room, new string('a', MaxContentLength + 1));

        await socket.ExpectErrorAsync("MESSAGE_TOO_LARGE");
        await socket.PingAsync();
        Assert.Empty(await HistoryAsync(alice, room));
    }

    [Fact]
    public async Task SendMessage_EmojiCountedInUtf16Units_AtLimitAcceptedOneOverRejected()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var room = await alice.CreateRoomAsync();
        await using var socket = await WsPeer.ClientAsync(alice, room);
        var atLimit = string.Concat(Enumerable.Repeat("😀", MaxContentLength / 2));

        // Sent as browsers send it (JSON.stringify leaves emoji unescaped): 200 KB of UTF-8, well inside the frame limit.
        await socket.SendTextAsync(SendFrame(room, atLimit));
        var echo = await socket.WaitForAsync("server:new_message");
        await socket.SendTextAsync(SendFrame(room, atLimit + "a"));
        await socket.ExpectErrorAsync("MESSAGE_TOO_LARGE");

        Assert.Equal(atLimit, echo["message"]!["content"]!.GetValue<string>());
        Assert.Equal(atLimit, Assert.Single(await HistoryAsync(alice, room))["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task GatewayCompletion_NulAndLoneSurrogate_StoredCleanedWithoutError()
    {
        await using var stage = await AgentRoom.CreateAsync(hub, "dev");
        await using var socket = await WsPeer.ClientAsync(stage.Owner, stage.RoomId);
        var agentId = stage.AgentIds["dev"];
        var replyId = Unique.Id("resp");
        var ids = $$"""
            "roomId":"{{stage.RoomId}}","agentId":"{{agentId}}","messageId":"{{replyId}}"
            """;

        await stage.Gateway.SendTextAsync(
            "{\"type\":\"gateway:message_chunk\"," + ids + ",\"chunk\":{\"type\":\"text\",\"content\":\"a\\u0000\\ud800\"}}");
        await stage.Gateway.SendTextAsync(
            "{\"type\":\"gateway:message_complete\"," + ids + ",\"fullContent\":\"a\\u0000b\\ud83d c\\udc00\","
            + "\"chunks\":[{\"type\":\"text\",\"content\":\"\\u0000\\udfff\"}]}");

        var chunk = await socket.WaitForAsync("server:message_chunk");
        Assert.Equal("a\uFFFD", chunk["chunk"]!["content"]!.GetValue<string>());
        var complete = (await socket.WaitForAsync("server:message_complete"))["message"]!;
        Assert.Equal("ab\uFFFD c\uFFFD", complete["content"]!.GetValue<string>());
        Assert.Equal("\uFFFD", complete["chunks"]![0]!["content"]!.GetValue<string>());
        var stored = Assert.Single(await HistoryAsync(stage.Owner, stage.RoomId));
        Assert.Equal(replyId, stored["id"]!.GetValue<string>());
        Assert.Equal("ab\uFFFD c\uFFFD", stored["content"]!.GetValue<string>());
        await stage.Gateway.PingAsync("gateway:ping");
        Assert.Empty(stage.Gateway.All("server:error"));
    }

    private static string SendFrame(string room, string content) =>
        $$"""{"type":"client:send_message","roomId":"{{room}}","content":"{{content}}","mentions":[]}""";

    private static async Task<List<JsonNode>> HistoryAsync(Session session, string room)
    {
        var (status, body) = await session.GetAsync($"/api/messages/rooms/{room}?limit=50");
        Assert.Equal(200, status);
        return body!["data"]!["items"]!.AsArray().Select(n => n!).ToList();
    }
}
