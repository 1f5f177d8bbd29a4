using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Tasks;

/// <summary>/api/tasks (rest-api.md §8 #59–63), and the <c>server:task_update</c> every REST change sends the room.</summary>
public sealed class TasksEndpointsTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Create_Member_Returns201PendingTaskWithNulls_AndJoinedClientGetsTaskUpdate()
    {
        var (alice, bob, _, _, room) = await RoomWithPeopleAsync();
        await using var client = await WsPeer.ClientAsync(alice, room);

        var (status, body) = await bob.PostAsync($"/api/tasks/rooms/{room}", new { title = "  Write <b>docs</b>  " });

        Assert.Equal(201, status);
        var task = body!["data"]!.AsObject();
        Assert.Equal(21, Str(task, "id").Length);
        Assert.Equal(room, Str(task, "roomId"));
        Assert.Equal("Write docs", Str(task, "title"));
        Assert.Equal("", Str(task, "description"));
        Assert.Equal("pending", Str(task, "status"));
        Assert.Equal(bob.UserId, Str(task, "createdById"));
        Assert.True(WireRules.IsWireTimestamp(Str(task, "createdAt")));
        Assert.Equal(Str(task, "createdAt"), Str(task, "updatedAt"));
        // REST keeps the row's nulls (decisions.md); the frame below omits them.
        foreach (var key in new[] { "result", "dueDate", "assigneeId", "assigneeType" })
        {
            Assert.True(task.ContainsKey(key) && task[key] is null, $"{key} should be null: {task}");
        }

        var frame = await client.WaitForAsync("server:task_update");
        Assert.Equal(Str(task, "id"), Str(frame["task"], "id"));
        Assert.Equal("pending", Str(frame["task"], "status"));
        Assert.False(frame["task"]!.AsObject().ContainsKey("assigneeId"));
    }

    [Fact]
    public async Task Create_WithAssigneeAndDueDate_DefaultsAssigneeTypeToUser_AndAcceptsAgentMembers()
    {
        var (alice, bob, _, _, room) = await RoomWithPeopleAsync();
        var agentId = $"ag-{Guid.NewGuid():N}"[..20];
        await using var gateway = await WsPeer.GatewayAsync(alice, $"gw-{Guid.NewGuid():N}"[..20], (agentId, "dev"));
        await alice.AddMemberAsync(room, agentId, "agent");

        var (status, body) = await alice.PostAsync(
            $"/api/tasks/rooms/{room}",
            new { title = "ship", description = "all of it", dueDate = "2026-01-05T10:00:00Z", assigneeId = bob.UserId });
        var (agentStatus, agentBody) = await alice.PostAsync(
            $"/api/tasks/rooms/{room}", new { title = "review", assigneeId = agentId, assigneeType = "agent" });
        var (creatorStatus, _) = await bob.PostAsync($"/api/tasks/rooms/{room}", new { title = "ask", assigneeId = alice.UserId });

        Assert.Equal(201, status);
        Assert.Equal("all of it", Str(body!["data"], "description"));
        Assert.Equal("2026-01-05T10:00:00.000Z", Str(body["data"], "dueDate"));
        Assert.Equal(bob.UserId, Str(body["data"], "assigneeId"));
        Assert.Equal("user", Str(body["data"], "assigneeType"));
        Assert.Equal(201, agentStatus);
        Assert.Equal("agent", Str(agentBody!["data"], "assigneeType"));
        Assert.Equal(201, creatorStatus);
    }

    [Theory]
    [InlineData("no-title", "title", "Required")]
    [InlineData("blank-title", "title", "validation.titleWhitespace")]
    [InlineData("long-title", "title", "String must contain at most 200 character(s)")]
    [InlineData("long-description", "description", "String must contain at most 10000 character(s)")]
    [InlineData("offset-date", "dueDate", "Invalid datetime")]
    [InlineData("plain-date", "dueDate", "Invalid datetime")]
    [InlineData("bad-type", "assigneeType", null)]
    [InlineData("long-assignee", "assigneeId", "String must contain at most 100 character(s)")]
    public async Task Create_InvalidBody_ReturnsValidationError(string kind, string field, string? message)
    {
        var (alice, _, _, _, room) = await RoomWithPeopleAsync();
        object request = kind switch
        {
            "no-title" => new { description = "x" },
            "blank-title" => new { title = "   " },
            "long-title" => new { title = new string('t', 201) },
            "long-description" => new { title = "t", description = new string('d', 10_001) },
            "offset-date" => new { title = "t", dueDate = "2026-01-05T10:00:00+02:00" },
            "plain-date" => new { title = "t", dueDate = "2026-01-05" },
            "bad-type" => new { title = "t", assigneeId = alice.UserId, assigneeType = "robot" },
            _ => new { title = "t", assigneeId = new string('a', 101) },
        };

        var (status, body) = await alice.PostAsync($"/api/tasks/rooms/{room}", request);

        Assert.Equal(400, status);
        Assert.Equal("Validation failed", Str(body, "error"));
        var error = body!["fields"]!.AsArray().Single(f => Str(f, "field") == field);
        if (message is not null)
        {
            Assert.Equal(message, Str(error, "message"));
        }

        Assert.Empty((await alice.GetAsync($"/api/tasks/rooms/{room}")).Body!["data"]!.AsArray());
    }

    [Fact]
    public async Task Create_AssigneeOutsideRoom_Returns400_NonMemberAndAdmin_Return404()
    {
        var (alice, _, _, outsider, room) = await RoomWithPeopleAsync();
        var admin = await hub.LoginAdminAsync();

        var (status, body) = await alice.PostAsync($"/api/tasks/rooms/{room}", new { title = "t", assigneeId = outsider.UserId });
        var (agentStatus, agentBody) = await alice.PostAsync(
            $"/api/tasks/rooms/{room}", new { title = "t", assigneeId = alice.UserId, assigneeType = "agent" });

        Assert.Equal(400, status);
        Assert.Equal("Assignee is not a member of this room", Str(body, "error"));
        Assert.Equal(400, agentStatus);
        Assert.Equal("Assignee is not a member of this room", Str(agentBody, "error"));
        foreach (var stranger in new[] { outsider, admin })
        {
            var (strangerStatus, strangerBody) = await stranger.PostAsync($"/api/tasks/rooms/{room}", new { title = "t" });
            Assert.Equal(404, strangerStatus);
            Assert.Equal("Room not found", Str(strangerBody, "error"));
        }

        Assert.Equal(404, (await alice.PostAsync("/api/tasks/rooms/no-such-room", new { title = "t" })).Status);
        var (badStatus, badBody) = await alice.PostAsync("/api/tasks/rooms/bad.room", new { title = "t" });
        Assert.Equal(400, badStatus);
        Assert.Equal("Invalid parameter: roomId", Str(badBody, "error"));
        Assert.Empty((await alice.GetAsync($"/api/tasks/rooms/{room}")).Body!["data"]!.AsArray());
    }

    [Fact]
    public async Task List_MineCoversMyRoomsNewestFirst_RoomListIsForMembersOnly()
    {
        var (alice, bob, _, outsider, room) = await RoomWithPeopleAsync();
        var otherRoom = await outsider.CreateRoomAsync("elsewhere");
        var first = await CreateTaskAsync(alice, room, "first");
        // Timestamps have millisecond precision; keep the two apart so "newest first" has one answer.
        await Task.Delay(5);
        var second = await CreateTaskAsync(bob, room, "second");
        var hidden = await CreateTaskAsync(outsider, otherRoom, "hidden");

        var (status, body) = await bob.GetAsync("/api/tasks");
        var (roomStatus, roomBody) = await alice.GetAsync($"/api/tasks/rooms/{room}");
        var (_, page) = await alice.GetAsync($"/api/tasks/rooms/{room}?limit=1&offset=1");

        Assert.Equal(200, status);
        Assert.Equal([second, first], body!["data"]!.AsArray().Select(t => Str(t, "id")));
        Assert.Equal(200, roomStatus);
        Assert.Equal([second, first], roomBody!["data"]!.AsArray().Select(t => Str(t, "id")));
        Assert.Equal([first], page!["data"]!.AsArray().Select(t => Str(t, "id")));
        Assert.Equal([hidden], (await outsider.GetAsync("/api/tasks")).Body!["data"]!.AsArray().Select(t => Str(t, "id")));
        var (strangerStatus, strangerBody) = await outsider.GetAsync($"/api/tasks/rooms/{room}");
        Assert.Equal(404, strangerStatus);
        Assert.Equal("Room not found", Str(strangerBody, "error"));
        Assert.Equal(404, (await (await hub.LoginAdminAsync()).GetAsync($"/api/tasks/rooms/{room}")).Status);
        Assert.Equal(400, (await alice.GetAsync("/api/tasks/rooms/bad.room")).Status);
    }

    [Fact]
    public async Task Update_AnyMemberMovesStatus_OnlyCreatorAssigneeOrRoomAdminEditDetails()
    {
        var (alice, bob, carol, _, room) = await RoomWithPeopleAsync();
        var dave = await hub.CreateUserAsync("dave");
        await alice.AddMemberAsync(room, dave.UserId, "user");
        var taskId = await CreateTaskAsync(alice, room, "plan", assigneeId: dave.UserId);
        await using var client = await WsPeer.ClientAsync(alice, room);

        var (statusOnly, statusBody) = await bob.PutAsync($"/api/tasks/{taskId}", new { status = "in_progress" });
        var (forbidden, forbiddenBody) = await bob.PutAsync($"/api/tasks/{taskId}", new { title = "mine now" });
        var (byAssignee, _) = await dave.PutAsync($"/api/tasks/{taskId}", new { description = "steps" });
        var (byAdmin, _) = await carol.PutAsync($"/api/tasks/{taskId}", new { result = "done well", dueDate = "2026-02-01T00:00:00.000Z" });
        var (byCreator, creatorBody) = await alice.PutAsync($"/api/tasks/{taskId}", new { title = "plan v2", status = "completed" });

        Assert.Equal(200, statusOnly);
        Assert.Equal("in_progress", Str(statusBody!["data"], "status"));
        Assert.Equal(403, forbidden);
        Assert.Equal("Only task creator, assignee, or room admin can modify task details", Str(forbiddenBody, "error"));
        Assert.Equal(200, byAssignee);
        Assert.Equal(200, byAdmin);
        Assert.Equal(200, byCreator);
        var task = creatorBody!["data"]!;
        Assert.Equal("plan v2", Str(task, "title"));
        Assert.Equal("completed", Str(task, "status"));
        Assert.Equal("steps", Str(task, "description"));
        Assert.Equal("done well", Str(task, "result"));
        Assert.Equal("2026-02-01T00:00:00.000Z", Str(task, "dueDate"));
        Assert.Equal(dave.UserId, Str(task, "assigneeId"));
        Assert.NotEqual(Str(task, "createdAt"), Str(task, "updatedAt"));

        var statuses = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add(Str((await client.WaitForAsync("server:task_update", f => Str(f["task"], "id") == taskId))["task"], "status"));
        }

        Assert.Equal(["in_progress", "in_progress", "in_progress", "completed"], statuses);
        Assert.Null(await client.TryWaitForAsync(
            "server:task_update", f => Str(f["task"], "title") == "mine now", TimeSpan.FromMilliseconds(300)));
    }

    [Theory]
    [InlineData("completed")]
    [InlineData("cancelled")]
    public async Task Update_FinishedTaskBackToInProgress_Returns400(string finished)
    {
        var (alice, _, _, _, room) = await RoomWithPeopleAsync();
        var taskId = await CreateTaskAsync(alice, room, "once");
        Assert.Equal(200, (await alice.PutAsync($"/api/tasks/{taskId}", new { status = finished })).Status);

        var (status, body) = await alice.PutAsync($"/api/tasks/{taskId}", new { status = "in_progress" });
        var (reopen, _) = await alice.PutAsync($"/api/tasks/{taskId}", new { status = "pending" });

        Assert.Equal(400, status);
        Assert.Equal($"Cannot transition from \"{finished}\" to \"in_progress\"", Str(body, "error"));
        Assert.Equal(200, reopen);
    }

    [Fact]
    public async Task Update_AssigneePairing_ClearsTogether_AndChecksTheAssignee()
    {
        var (alice, bob, _, outsider, room) = await RoomWithPeopleAsync();
        var taskId = await CreateTaskAsync(alice, room, "pairing");

        var (typeOnly, typeOnlyBody) = await alice.PutAsync($"/api/tasks/{taskId}", new { assigneeType = "user" });
        var (notMember, notMemberBody) = await alice.PutAsync($"/api/tasks/{taskId}", new { assigneeId = outsider.UserId });
        var (assigned, assignedBody) = await alice.PutAsync($"/api/tasks/{taskId}", new { assigneeId = bob.UserId });
        var (wrongType, wrongTypeBody) = await alice.PutAsync($"/api/tasks/{taskId}", new { assigneeType = "agent" });
        var (cleared, clearedBody) = await alice.PutAsync($"/api/tasks/{taskId}", new { assigneeType = (string?)null });

        Assert.Equal(400, typeOnly);
        Assert.Equal("assigneeId is required when assigneeType is set", Str(typeOnlyBody, "error"));
        Assert.Equal(400, notMember);
        Assert.Equal("Assignee is not a member of this room", Str(notMemberBody, "error"));
        Assert.Equal(200, assigned);
        Assert.Equal("user", Str(assignedBody!["data"], "assigneeType"));
        Assert.Equal(400, wrongType);
        Assert.Equal("Current assignee is not valid for the new assigneeType; provide a new assigneeId", Str(wrongTypeBody, "error"));
        Assert.Equal(200, cleared);
        Assert.Null(clearedBody!["data"]!["assigneeId"]);
        Assert.Null(clearedBody["data"]!["assigneeType"]);
    }

    [Fact]
    public async Task Update_InvalidBody_400_NonMemberAdminOrUnknown_404()
    {
        var (alice, _, _, outsider, room) = await RoomWithPeopleAsync();
        var admin = await hub.LoginAdminAsync();
        var taskId = await CreateTaskAsync(alice, room, "guarded");

        var (badStatus, badBody) = await alice.PutAsync($"/api/tasks/{taskId}", new { status = "done" });
        var (nullTitle, _) = await alice.PutAsync($"/api/tasks/{taskId}", new { title = (string?)null });
        var (longResult, _) = await alice.PutAsync($"/api/tasks/{taskId}", new { result = new string('r', 100_001) });

        Assert.Equal(400, badStatus);
        Assert.Equal("status", Str(badBody!["fields"]![0], "field"));
        Assert.Equal(400, nullTitle);
        Assert.Equal(400, longResult);
        foreach (var stranger in new[] { outsider, admin })
        {
            var (status, body) = await stranger.PutAsync($"/api/tasks/{taskId}", new { status = "failed" });
            Assert.Equal(404, status);
            Assert.Equal("Task not found", Str(body, "error"));
        }

        Assert.Equal(404, (await alice.PutAsync("/api/tasks/no-such-task", new { status = "failed" })).Status);
        Assert.Equal(400, (await alice.PutAsync("/api/tasks/bad.id", new { status = "failed" })).Status);
        var task = (await alice.GetAsync($"/api/tasks/rooms/{room}")).Body!["data"]![0]!;
        Assert.Equal("pending", Str(task, "status"));
        Assert.Equal("guarded", Str(task, "title"));
    }

    [Fact]
    public async Task Delete_CreatorOrRoomAdmin_Succeed_OtherMember403_Outsider404()
    {
        var (alice, bob, carol, outsider, room) = await RoomWithPeopleAsync();
        var admin = await hub.LoginAdminAsync();
        var byAlice = await CreateTaskAsync(alice, room, "alice's");
        var byBob = await CreateTaskAsync(bob, room, "bob's");

        var (forbidden, forbiddenBody) = await bob.DeleteAsync($"/api/tasks/{byAlice}");
        var (outsiderStatus, outsiderBody) = await outsider.DeleteAsync($"/api/tasks/{byAlice}");
        var (adminStatus, _) = await admin.DeleteAsync($"/api/tasks/{byAlice}");

        Assert.Equal(403, forbidden);
        Assert.Equal("Only task creator or room admin can delete", Str(forbiddenBody, "error"));
        Assert.Equal(404, outsiderStatus);
        Assert.Equal("Task not found", Str(outsiderBody, "error"));
        Assert.Equal(404, adminStatus);
        Assert.Equal(2, (await alice.GetAsync($"/api/tasks/rooms/{room}")).Body!["data"]!.AsArray().Count);

        var (byCreator, creatorBody) = await bob.DeleteAsync($"/api/tasks/{byBob}");
        var (byRoomAdmin, _) = await carol.DeleteAsync($"/api/tasks/{byAlice}");

        Assert.Equal(200, byCreator);
        Assert.True(creatorBody!["ok"]!.GetValue<bool>());
        Assert.Equal(200, byRoomAdmin);
        Assert.Empty((await alice.GetAsync($"/api/tasks/rooms/{room}")).Body!["data"]!.AsArray());
        Assert.Equal(404, (await alice.DeleteAsync($"/api/tasks/{byBob}")).Status);
        Assert.Equal(400, (await alice.DeleteAsync("/api/tasks/bad.id")).Status);
    }

    /// <summary>Alice owns the room, Bob is a member, Carol a room admin; the outsider is in no room of theirs.</summary>
    private async Task<(Session Alice, Session Bob, Session Carol, Session Outsider, string Room)> RoomWithPeopleAsync()
    {
        var alice = await hub.CreateUserAsync("alice");
        var bob = await hub.CreateUserAsync("bob");
        var carol = await hub.CreateUserAsync("carol");
        var outsider = await hub.CreateUserAsync("out");
        var room = await alice.CreateRoomAsync("tasks", bob.UserId);
        var (status, body) = await alice.PostAsync(
            $"/api/rooms/{room}/members", new { memberId = carol.UserId, memberType = "user", role = "admin" });
        Assert.True(status == 201, $"add admin: {status} {body}");
        return (alice, bob, carol, outsider, room);
    }

    private static async Task<string> CreateTaskAsync(Session creator, string room, string title, string? assigneeId = null)
    {
        var (status, body) = await creator.PostAsync($"/api/tasks/rooms/{room}", new { title, assigneeId });
        Assert.True(status == 201, $"create task: {status} {body}");
        return Str(body!["data"], "id");
    }

    private static string Str(JsonNode? node, string key) => node![key]!.GetValue<string>();
}
