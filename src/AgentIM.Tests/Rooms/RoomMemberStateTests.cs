using AgentIM.Tests.Support;

namespace AgentIM.Tests.Rooms;

/// <summary>A member's own view of a room: pin, archive, clear, notification preference, and the paged member list.</summary>
public sealed class RoomMemberStateTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Pin_Toggles_AndOnlyForTheCaller()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("pinned", cast.Bob.UserId);

        var (first, firstBody) = await cast.Alice.PutAsync($"/api/rooms/{roomId}/pin", null);
        var aliceList = (await cast.Alice.GetAsync("/api/rooms")).Body!["data"]!.AsArray();
        var bobList = (await cast.Bob.GetAsync("/api/rooms")).Body!["data"]!.AsArray();
        var (_, secondBody) = await cast.Alice.PutAsync($"/api/rooms/{roomId}/pin", null);

        Assert.Equal(200, first);
        Assert.True(firstBody!["data"]!["pinned"]!.GetValue<bool>());
        var alicesRoom = aliceList.Single(r => r!["id"]!.GetValue<string>() == roomId)!;
        Assert.Matches(Timestamps.IsoUtcMillis, alicesRoom["pinnedAt"]!.GetValue<string>());
        Assert.Null(bobList.Single(r => r!["id"]!.GetValue<string>() == roomId)!["pinnedAt"]);
        Assert.False(secondBody!["data"]!["pinned"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Archive_Toggles()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("archived");

        var (status, first) = await cast.Alice.PutAsync($"/api/rooms/{roomId}/archive", null);
        var listed = (await cast.Alice.GetAsync("/api/rooms")).Body!["data"]!.AsArray()
            .Single(r => r!["id"]!.GetValue<string>() == roomId)!;
        var (_, second) = await cast.Alice.PutAsync($"/api/rooms/{roomId}/archive", null);

        Assert.Equal(200, status);
        Assert.True(first!["data"]!["archived"]!.GetValue<bool>());
        Assert.Matches(Timestamps.IsoUtcMillis, listed["archivedAt"]!.GetValue<string>());
        Assert.False(second!["data"]!["archived"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("pin")]
    [InlineData("archive")]
    [InlineData("clear")]
    public async Task MemberOnlyToggle_Outsider_Returns404NotAMember(string action)
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("private");

        var (status, body) = await cast.Carol.PutAsync($"/api/rooms/{roomId}/{action}", null);
        var (badStatus, badBody) = await cast.Carol.PutAsync($"/api/rooms/bad.id/{action}", null);

        Assert.Equal(404, status);
        Assert.Equal("Not a member", body!["error"]!.GetValue<string>());
        Assert.Equal(400, badStatus);
        Assert.Equal("Invalid parameter: id", badBody!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Clear_HidesOlderHistoryForCallerOnlyAndTellsAllCallersSockets()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("chatty", cast.Bob.UserId);
        await using var aliceOne = await WsPeer.ClientAsync(cast.Alice, roomId);
        await using var aliceTwo = await WsPeer.ClientAsync(cast.Alice);
        await using var bob = await WsPeer.ClientAsync(cast.Bob, roomId);
        await bob.SendMessageAsync(roomId, "before clear");
        await aliceOne.WaitForAsync("server:new_message");

        var (status, body) = await cast.Alice.PutAsync($"/api/rooms/{roomId}/clear", null);

        Assert.Equal(200, status);
        var clearedAt = body!["data"]!["clearedAt"]!.GetValue<string>();
        Assert.Matches(Timestamps.IsoUtcMillis, clearedAt);
        foreach (var socket in new[] { aliceOne, aliceTwo })
        {
            var frame = await socket.WaitForAsync("server:room_cleared", null, TimeSpan.FromSeconds(1));
            Assert.Equal(roomId, frame["roomId"]!.GetValue<string>());
            Assert.Equal(clearedAt, frame["clearedAt"]!.GetValue<string>());
        }

        await bob.SendMessageAsync(roomId, "after clear");
        await aliceOne.WaitForAsync("server:new_message", f => f["message"]!["content"]!.GetValue<string>() == "after clear");
        var aliceSees = (await History.PageAsync(cast.Alice, roomId, 50)).Items.Select(i => i["content"]!.GetValue<string>());
        var bobSees = (await History.PageAsync(cast.Bob, roomId, 50)).Items.Select(i => i["content"]!.GetValue<string>());
        Assert.Equal(["after clear"], aliceSees);
        Assert.Equal(["after clear", "before clear"], bobSees);
        Assert.Empty(bob.All("server:room_cleared"));
    }

    [Fact]
    public async Task NotificationPref_ValidInvalidAndOutsider()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("quiet", cast.Bob.UserId);

        var (okStatus, okBody) = await cast.Bob.PutAsync($"/api/rooms/{roomId}/notification-pref", new { pref = "mentions" });
        var (badStatus, badBody) = await cast.Bob.PutAsync($"/api/rooms/{roomId}/notification-pref", new { pref = "loud" });
        var (outsiderStatus, outsiderBody) = await cast.Carol.PutAsync($"/api/rooms/{roomId}/notification-pref", new { pref = "none" });

        Assert.Equal(200, okStatus);
        Assert.True(okBody!["ok"]!.GetValue<bool>());
        Assert.Null(okBody["data"]);
        Assert.Equal(400, badStatus);
        Assert.Equal("Invalid preference. Must be one of: all, mentions, none", badBody!["error"]!.GetValue<string>());
        Assert.Equal(404, outsiderStatus);
        Assert.Equal("Room not found", outsiderBody!["error"]!.GetValue<string>());
        var members = (await cast.Alice.GetAsync($"/api/rooms/{roomId}/members")).Body!["data"]!.AsArray();
        string Pref(string userId) =>
            members.Single(m => m!["memberId"]!.GetValue<string>() == userId)!["notificationPref"]!.GetValue<string>();
        Assert.Equal("mentions", Pref(cast.Bob.UserId));
        Assert.Equal("all", Pref(cast.Alice.UserId));
    }

    [Fact]
    public async Task Members_PagedWithDisplayNamesAndPaginationObject()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("crowd", cast.Bob.UserId, cast.Carol.UserId);

        var (status, body) = await cast.Bob.GetAsync($"/api/rooms/{roomId}/members?limit=2&offset=1");
        var all = (await cast.Bob.GetAsync($"/api/rooms/{roomId}/members")).Body!;
        var past = (await cast.Bob.GetAsync($"/api/rooms/{roomId}/members?offset=10")).Body!;

        Assert.Equal(200, status);
        Assert.True(body!["ok"]!.GetValue<bool>());
        Assert.Equal(2, body["data"]!.AsArray().Count);
        Assert.Equal(2, body["pagination"]!["limit"]!.GetValue<int>());
        Assert.Equal(1, body["pagination"]!["offset"]!.GetValue<int>());
        Assert.Equal(3, body["pagination"]!["total"]!.GetValue<int>());
        Assert.Equal(100, all["pagination"]!["limit"]!.GetValue<int>());
        var member = all["data"]!.AsArray().Single(m => m!["memberId"]!.GetValue<string>() == cast.Carol.UserId)!;
        Assert.Equal(cast.Carol.Username, member["displayName"]!.GetValue<string>());
        Assert.Equal(roomId, member["roomId"]!.GetValue<string>());
        Assert.Equal("member", member["role"]!.GetValue<string>());
        Assert.Empty(past["data"]!.AsArray());
        Assert.Equal(3, past["pagination"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Members_Outsider_Returns404()
    {
        var cast = await RoomCast.OfAsync(hub);
        var roomId = await cast.Alice.CreateRoomAsync("closed");

        var (status, body) = await cast.Carol.GetAsync($"/api/rooms/{roomId}/members");

        Assert.Equal(404, status);
        Assert.Equal("Room not found", body!["error"]!.GetValue<string>());
    }
}
