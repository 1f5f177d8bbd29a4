using AgentIM.Tests.Support;

namespace AgentIM.Tests.Messages;

/// <summary>
/// <c>DELETE /api/messages/:id</c> and <c>POST /api/messages/batch-delete</c> (rest-api.md #46, #47): who may delete
/// what, the <c>server:message_deleted</c> frames, and attachment files removed from UPLOAD_DIR and never outside it.
/// </summary>
public sealed class MessageDeleteTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Delete_BySender_RemovesRowFilesAndTellsTheRoom()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Bob, roomId, "with a file");
        var stored = await AttachFileAsync(id, cast.Bob);
        var outside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(hub.Config.UploadDir))!, $"outside-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(outside, "must stay");
        await AddAttachmentRowAsync(id, cast.Bob, "/uploads/../" + Path.GetFileName(outside));
        await using var watcher = await WsPeer.ClientAsync(cast.Alice, roomId);

        var (status, body) = await cast.Bob.DeleteAsync($"/api/messages/{id}");

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        Assert.False(body.AsObject().ContainsKey("data"));
        var frame = await watcher.WaitForAsync("server:message_deleted");
        Assert.Equal(roomId, frame["roomId"]!.GetValue<string>());
        Assert.Equal(id, frame["messageId"]!.GetValue<string>());
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE id = $1", id));
        Assert.False(File.Exists(stored), "the attachment's file is removed");
        Assert.True(File.Exists(outside), "a URL pointing outside UPLOAD_DIR is never followed");
        File.Delete(outside);
    }

    [Fact]
    public async Task Delete_NotTheSender_ForbiddenEvenForTheOwner()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Bob, roomId, "bob's");

        var (status, body) = await cast.Alice.DeleteAsync($"/api/messages/{id}");

        Assert.Equal((403, "Only the sender can delete this message"), (status, body!["error"]!.GetValue<string>()));
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE id = $1", id));
    }

    [Fact]
    public async Task Delete_OutsiderUnknownOrBadId_NotFoundOrBadRequest()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "alice's");

        var outsider = await cast.Carol.DeleteAsync($"/api/messages/{id}");
        var unknown = await cast.Alice.DeleteAsync("/api/messages/unknown-id");
        var badId = await cast.Alice.DeleteAsync("/api/messages/not!valid");

        Assert.Equal((404, "Message not found"), (outsider.Status, outsider.Body!["error"]!.GetValue<string>()));
        Assert.Equal((404, "Message not found"), (unknown.Status, unknown.Body!["error"]!.GetValue<string>()));
        Assert.Equal(400, badId.Status);
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE id = $1", id));
    }

    [Fact]
    public async Task BatchDelete_RoomAdmin_DeletesAnyMessageIncludingAgents()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        await TestSql.ExecuteAsync(
            hub, "UPDATE room_members SET role = 'admin' WHERE room_id = $1 AND member_id = $2", roomId, cast.Bob.UserId);
        var alices = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "alice's");
        var agents = History.RandomId();
        await TestSql.ExecuteAsync(hub, """
            INSERT INTO messages (id, room_id, sender_id, sender_type, sender_name, type, content, created_at)
            VALUES ($1, $2, 'some-agent', 'agent', 'bot', 'agent_response', 'reply', now())
            """, agents, roomId);
        var file = await AttachFileAsync(alices, cast.Alice);
        await using var watcher = await WsPeer.ClientAsync(cast.Alice, roomId);

        var (status, body) = await cast.Bob.PostAsync(
            "/api/messages/batch-delete", new { messageIds = new[] { alices, agents, "unknown-id" } });

        Assert.Equal(200, status);
        Assert.Equal(2, body!["data"]!["deleted"]!.GetValue<int>());
        var first = await watcher.WaitForAsync("server:message_deleted");
        var second = await watcher.WaitForAsync("server:message_deleted");
        Assert.Equal(
            new[] { alices, agents }.Order(),
            new[] { first, second }.Select(f => f["messageId"]!.GetValue<string>()).Order());
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task BatchDelete_PlainMember_DeletesOnlyOwnAndIsRefusedOthers()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var alices = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "alice's");
        var bobs = await MessageRoutesCast.SendAsync(cast.Bob, roomId, "bob's");

        var onlyOthers = await cast.Bob.PostAsync("/api/messages/batch-delete", new { messageIds = new[] { alices } });
        var mixed = await cast.Bob.PostAsync("/api/messages/batch-delete", new { messageIds = new[] { alices, bobs } });

        Assert.Equal((403, "No permission to delete these messages"), (onlyOthers.Status, onlyOthers.Body!["error"]!.GetValue<string>()));
        Assert.Equal(200, mixed.Status);
        Assert.Equal(1, mixed.Body!["data"]!["deleted"]!.GetValue<int>());
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE id = $1", alices));
        Assert.Equal(0, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE id = $1", bobs));
    }

    [Fact]
    public async Task BatchDelete_TwoRooms_Refused()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var first = await MessageRoutesCast.SendAsync(cast.Alice, await cast.RoomAsync("one"), "one");
        var second = await MessageRoutesCast.SendAsync(cast.Alice, await cast.RoomAsync("two"), "two");

        var (status, body) = await cast.Alice.PostAsync("/api/messages/batch-delete", new { messageIds = new[] { first, second } });

        Assert.Equal((400, "All messages must belong to the same room"), (status, body!["error"]!.GetValue<string>()));
        Assert.Equal(2, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE id = ANY($1)", (object)new[] { first, second }));
    }

    [Fact]
    public async Task BatchDelete_Outsider_SeesTheIdsAsUnknown()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);
        var roomId = await cast.RoomAsync();
        var id = await MessageRoutesCast.SendAsync(cast.Alice, roomId, "private");

        var (status, body) = await cast.Carol.PostAsync("/api/messages/batch-delete", new { messageIds = new[] { id } });

        Assert.Equal(200, status);
        Assert.Equal(0, body!["data"]!["deleted"]!.GetValue<int>());
        Assert.Equal(1, await TestSql.CountAsync(hub, "SELECT count(*) FROM messages WHERE id = $1", id));
    }

    [Fact]
    public async Task BatchDelete_BadBodies_ValidationErrors()
    {
        var cast = await MessageRoutesCast.OfAsync(hub);

        var missing = await cast.Alice.PostAsync("/api/messages/batch-delete", new { });
        var empty = await cast.Alice.PostAsync("/api/messages/batch-delete", new { messageIds = Array.Empty<string>() });
        var tooMany = await cast.Alice.PostAsync(
            "/api/messages/batch-delete", new { messageIds = Enumerable.Range(0, 51).Select(i => $"m{i}").ToArray() });
        var emptyId = await cast.Alice.PostAsync("/api/messages/batch-delete", new { messageIds = new[] { "ok", "" } });
        var wrongType = await cast.Alice.PostAsync("/api/messages/batch-delete", new { messageIds = "abc" });

        Assert.Equal((400, "messageIds"), (missing.Status, missing.Body!["fields"]![0]!["field"]!.GetValue<string>()));
        Assert.Equal((400, "messageIds"), (empty.Status, empty.Body!["fields"]![0]!["field"]!.GetValue<string>()));
        Assert.Equal((400, "messageIds"), (tooMany.Status, tooMany.Body!["fields"]![0]!["field"]!.GetValue<string>()));
        Assert.Equal((400, "messageIds.1"), (emptyId.Status, emptyId.Body!["fields"]![0]!["field"]!.GetValue<string>()));
        Assert.Equal((400, "Validation failed"), (wrongType.Status, wrongType.Body!["error"]!.GetValue<string>()));
    }

    /// <summary>Fixture: an uploaded file in UPLOAD_DIR linked to a message, as the upload route leaves it.</summary>
    private async Task<string> AttachFileAsync(string messageId, Session uploader)
    {
        var name = $"{History.RandomId()}.txt";
        var path = Path.Combine(hub.Config.UploadDir, name);
        await File.WriteAllTextAsync(path, "attached");
        await AddAttachmentRowAsync(messageId, uploader, "/uploads/" + name);
        return path;
    }

    private Task AddAttachmentRowAsync(string messageId, Session uploader, string url) => TestSql.ExecuteAsync(hub, """
        INSERT INTO message_attachments (id, message_id, filename, mime_type, size, url, uploaded_by, created_at)
        VALUES ($1, $2, 'notes.txt', 'text/plain', 8, $3, $4, now())
        """, History.RandomId(), messageId, url, uploader.UserId);
}
