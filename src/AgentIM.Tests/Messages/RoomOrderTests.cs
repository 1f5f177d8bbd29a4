using AgentIM.Messages;

namespace AgentIM.Tests.Messages;

/// <summary>The turns of a room: rising clocks without ties, announcements in turn order, rooms forgotten when quiet.</summary>
public sealed class RoomOrderTests
{
    private static readonly DateTime Now = new(2026, 12, 5, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void TurnsInOneMillisecond_GetRisingClocks_OtherRoomsKeepTheClock()
    {
        var order = new RoomOrder();

        using var first = order.Begin("r1", Now);
        using var second = order.Begin("r1", Now);
        using var third = order.Begin("r1", Now);
        using var elsewhere = order.Begin("r2", Now);

        Assert.Equal([Now, Now.AddMilliseconds(1), Now.AddMilliseconds(2)], new[] { first.Clock, second.Clock, third.Clock });
        Assert.Equal(Now, elsewhere.Clock);
    }

    [Fact]
    public void Flood_NeverRunsMoreThanASecondAhead()
    {
        var order = new RoomOrder();
        var turns = Enumerable.Range(0, 1500).Select(_ => order.Begin("flood", Now)).ToList();

        Assert.Equal(Now.AddMilliseconds(999), turns[999].Clock);
        Assert.All(turns.Skip(1000), t => Assert.Equal(Now.AddSeconds(1), t.Clock));
        turns.ForEach(t => t.Dispose());
    }

    [Fact]
    public async Task LaterTurnStoredFirst_WaitsUntilTheEarlierOneIsAnnounced()
    {
        var order = new RoomOrder();
        var first = order.Begin("r1", Now);
        var second = order.Begin("r1", Now);
        var third = order.Begin("r1", Now);

        Assert.True(first.Previous.IsCompleted);
        Assert.False(second.Previous.IsCompleted);
        Assert.False(third.Previous.IsCompleted);

        first.Dispose();
        await second.Previous.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(third.Previous.IsCompleted);

        // A turn whose message was not stored (not a member, database down) lets the next one go all the same.
        second.Dispose();
        second.Dispose();
        await third.Previous.WaitAsync(TimeSpan.FromSeconds(5));
        third.Dispose();
    }

    [Fact]
    public void QuietRoom_IsForgotten_OnceTheTimeHasCaughtUp()
    {
        var order = new RoomOrder();
        var past = DateTime.UtcNow.AddMinutes(-1);
        order.Begin("old", past).Dispose();
        Assert.Equal(0, order.TrackedRooms);

        // Clocks pushed ahead of the time (or equal to it) are remembered until the time passes them, so the next turn
        // still follows, even within the same millisecond.
        var now = DateTime.UtcNow;
        var ahead = Enumerable.Range(0, 200).Select(_ => order.Begin("busy", now)).ToList();
        ahead.ForEach(t => t.Dispose());
        var next = order.Begin("busy", now);
        Assert.Equal(ahead[^1].Clock.AddMilliseconds(1), next.Clock);
        next.Dispose();

        var current = Infrastructure.Clock.UtcNow().AddMinutes(1);
        order.Begin("same millisecond", current).Dispose();
        Assert.Equal(current.AddMilliseconds(1), order.Begin("same millisecond", current).Clock);
    }

    [Fact]
    public async Task AnnounceAsync_RunsInTurnOrder_AndAFailingAnnouncementStillReleasesTheNext()
    {
        var order = new RoomOrder();
        var heard = new List<string>();
        var first = order.Begin("r1", Now);
        var second = order.Begin("r1", Now);
        var third = order.Begin("r1", Now);

        var secondDone = second.AnnounceAsync(() => throw new InvalidOperationException("socket gone"));
        var thirdDone = third.AnnounceAsync(() => heard.Add("third"));
        Assert.Empty(heard);
        await first.AnnounceAsync(() => heard.Add("first"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => secondDone.WaitAsync(TimeSpan.FromSeconds(5)));
        await thirdDone.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["first", "third"], heard);
    }
}
