using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Uploads;

/// <summary>
/// Uploads become attachments through <c>client:send_message.attachmentIds</c> (websocket.md §4): only the
/// uploader's, only once, even when two messages race for one upload; deleting the message or its room removes
/// the files.
/// </summary>
public sealed class AttachmentLinkTests(HubFixture hub) : IClassFixture<HubFixture>
{
    private const string Unlinked = "SELECT count(*) FROM message_attachments WHERE id = $1 AND message_id IS NULL";
    private const string Linked = "SELECT count(*) FROM message_attachments WHERE id = $1 AND message_id IS NOT NULL";
    private const string Any = "SELECT count(*) FROM message_attachments WHERE id = $1";

    private string UploadDir => hub.Config.UploadDir;

    [Fact]
    public async Task Send_OwnUpload_LinkedAndBroadcastWithTheMessage()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var roomId = await alice.CreateRoomAsync("links");
        var upload = (await alice.UploadAsync(UploadClient.Text("doc"), "doc.md", "text/markdown")).Data;
        await using var client = await WsPeer.ClientAsync(alice, roomId);

        var message = await SendAsync(client, roomId, upload["id"]!.GetValue<string>());

        var attachment = message["attachments"]!.AsArray().Single()!;
        Assert.Equal(upload["id"]!.GetValue<string>(), attachment["id"]!.GetValue<string>());
        Assert.Equal(message["id"]!.GetValue<string>(), attachment["messageId"]!.GetValue<string>());
        Assert.Equal("doc.md", attachment["filename"]!.GetValue<string>());
        Assert.Equal("text/markdown", attachment["mimeType"]!.GetValue<string>());
        Assert.Equal(3, attachment["size"]!.GetValue<int>());
        Assert.Equal(upload["url"]!.GetValue<string>(), attachment["url"]!.GetValue<string>());
        var page = await History.PageAsync(alice, roomId, 10);
        Assert.Equal(upload["id"]!.GetValue<string>(), page.Items.Single()["attachments"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Send_SomeoneElsesUpload_IgnoredAndLeftUnlinked()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var mallory = await TestUsers.CreateAsync(hub, "mallory");
        var roomId = await mallory.CreateRoomAsync("steal");
        var alices = (await alice.UploadAsync(UploadClient.Text("private"), "p.txt", "text/plain")).Data["id"]!.GetValue<string>();
        await using var client = await WsPeer.ClientAsync(mallory, roomId);

        var message = await SendAsync(client, roomId, alices);

        Assert.False(message.ContainsKey("attachments"));
        Assert.Equal(1, await TestSql.CountAsync(hub, Unlinked, alices));
    }

    [Fact]
    public async Task Send_SameUploadTwice_LinkedOnlyToTheFirst()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var roomId = await alice.CreateRoomAsync("once");
        var id = (await alice.UploadAsync(UploadClient.Text("once"), "o.txt", "text/plain")).Data["id"]!.GetValue<string>();
        await using var client = await WsPeer.ClientAsync(alice, roomId);

        var first = await SendAsync(client, roomId, id);
        var second = await SendAsync(client, roomId, id);

        Assert.Single(first["attachments"]!.AsArray());
        Assert.False(second.ContainsKey("attachments"));
        Assert.Equal(first["id"]!.GetValue<string>(),
            await TestSql.ScalarAsync<string>(hub.DatabaseUrl, "SELECT message_id FROM message_attachments WHERE id = $1", id));
    }

    [Fact]
    public async Task Send_TwoSocketsRaceForOneUpload_ExactlyOneMessageGetsIt()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var roomId = await alice.CreateRoomAsync("race");
        var id = (await alice.UploadAsync(UploadClient.Text("race"), "r.txt", "text/plain")).Data["id"]!.GetValue<string>();
        await using var one = await WsPeer.ClientAsync(alice, roomId);
        await using var two = await WsPeer.ClientAsync(alice, roomId);

        await Task.WhenAll(one.SendAsync(Frame(roomId, "one", id)), two.SendAsync(Frame(roomId, "two", id)));
        await one.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "one");
        await one.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "two");

        var withAttachment = one.All("server:new_message").Count(f => f["message"]!.AsObject().ContainsKey("attachments"));
        Assert.Equal(1, withAttachment);
        Assert.Equal(1, await TestSql.CountAsync(hub, Linked, id));
    }

    [Fact]
    public async Task DeleteMessage_RemovesItsUploadedFile()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var roomId = await alice.CreateRoomAsync("delete-message");
        var upload = (await alice.UploadAsync(UploadClient.Filled(UploadClient.Png, 1024), "p.png", "image/png")).Data;
        var path = PathOf(upload);
        await using var client = await WsPeer.ClientAsync(alice, roomId);
        var message = await SendAsync(client, roomId, upload["id"]!.GetValue<string>());
        Assert.True(File.Exists(path));

        var (status, _) = await alice.DeleteAsync($"/api/messages/{message["id"]!.GetValue<string>()}");

        Assert.Equal(200, status);
        Assert.False(File.Exists(path));
        Assert.Equal(0, await TestSql.CountAsync(hub, Any, upload["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task DeleteRoom_RemovesTheFilesOfItsMessages()
    {
        var alice = await TestUsers.CreateAsync(hub, "alice");
        var roomId = await alice.CreateRoomAsync("delete-room");
        var first = (await alice.UploadAsync(UploadClient.Text("1"), "1.txt", "text/plain")).Data;
        var second = (await alice.UploadAsync(UploadClient.Pdf, "2.pdf", "application/pdf")).Data;
        await using (var client = await WsPeer.ClientAsync(alice, roomId))
        {
            await SendAsync(client, roomId, first["id"]!.GetValue<string>());
            await SendAsync(client, roomId, second["id"]!.GetValue<string>());
        }

        var (status, _) = await alice.DeleteAsync($"/api/rooms/{roomId}");

        Assert.Equal(200, status);
        Assert.False(File.Exists(PathOf(first)));
        Assert.False(File.Exists(PathOf(second)));
    }

    private static object Frame(string roomId, string content, string attachmentId) =>
        new { type = "client:send_message", roomId, content, mentions = Array.Empty<string>(), attachmentIds = new[] { attachmentId } };

    private string PathOf(JsonNode upload) => Path.Combine(UploadDir, upload["url"]!.GetValue<string>()["/uploads/".Length..]);

    private static async Task<JsonObject> SendAsync(WsPeer client, string roomId, string attachmentId)
    {
        var content = $"with {Guid.NewGuid():N}";
        await client.SendAsync(Frame(roomId, content, attachmentId));
        var frame = await client.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == content);
        return frame["message"]!.AsObject();
    }
}
