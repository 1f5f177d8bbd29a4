using AgentIM.Tests.Support;

namespace AgentIM.Tests.Messages;

/// <summary>
/// History paging over rows that share a timestamp (case B01): every walk returns every id exactly once, in the fixed
/// order createdAt desc then id desc, and an <c>after</c> catch-up leaves no gap. The fixture is shared by the class.
/// </summary>
public sealed class HistoryPagingTests(HistoryPagingTests.TiedRoomFixture room) : IClassFixture<HistoryPagingTests.TiedRoomFixture>
{
    [Fact]
    public async Task WalkBack_Limit50_ReturnsEvery125IdsOnceInFixedOrder()
    {
        var first = await History.WalkBackAsync(room.Alice, room.RoomId, 50);
        var second = await History.WalkBackAsync(room.Alice, room.RoomId, 50);

        Assert.Equal([50, 50, 25], first.Select(p => p.Items.Count));
        AssertCompleteWalk(first);
        Assert.Equal(first.SelectMany(p => p.Ids), second.SelectMany(p => p.Ids));
    }

    [Fact]
    public async Task WalkBack_Limit1_ReturnsEvery125IdsOnceInFixedOrder()
    {
        var pages = await History.WalkBackAsync(room.Alice, room.RoomId, 1);

        Assert.Equal(125, pages.Count);
        AssertCompleteWalk(pages);
    }

    [Fact]
    public async Task WalkBack_PageBoundaryInsideTiedRows_NeitherSkipsNorRepeats()
    {
        // limit 7 puts page boundaries at many places inside the 120 tied rows and across the one-second step.
        var pages = await History.WalkBackAsync(room.Alice, room.RoomId, 7);

        Assert.Equal(18, pages.Count);
        AssertCompleteWalk(pages);
    }

    [Fact]
    public async Task After_CursorInsideTiedRows_ReturnsOldestNewerMessagesWithoutGap()
    {
        var expected = room.ExpectedOrder;
        // The cursor of the 100th newest message: a point inside the tied rows.
        var point = await History.PageAsync(room.Alice, room.RoomId, 100);
        Assert.Equal(expected[..100], point.Ids);

        var firstCatchUp = await History.PageAsync(room.Alice, room.RoomId, 50, after: point.NextCursor);
        Assert.Equal(expected[49..99], firstCatchUp.Ids);
        Assert.True(firstCatchUp.HasMore);

        var secondCatchUp = await History.PageAsync(room.Alice, room.RoomId, 50, after: firstCatchUp.NextCursor);
        Assert.Equal(expected[..49], secondCatchUp.Ids);
        Assert.False(secondCatchUp.HasMore);
        Assert.Null(secondCatchUp.NextCursor);
    }

    [Fact]
    public async Task After_WalkForwardFromBeforeOldest_CoversEverythingOnce()
    {
        var seen = new List<string>();
        var pages = 0;
        var after = "2026-01-05T09:59:59.999Z";

        while (true)
        {
            var page = await History.PageAsync(room.Alice, room.RoomId, 9, after: after);
            pages++;
            // Within a page the newest comes first; the pages themselves move forward in time.
            seen.InsertRange(0, page.Ids);
            if (!page.HasMore)
            {
                Assert.Null(page.NextCursor);
                break;
            }

            Assert.True(pages < 20, "the catch-up walk does not end");
            after = page.NextCursor;
        }

        Assert.Equal(14, pages);
        Assert.Equal(room.ExpectedOrder, seen);
    }

    private void AssertCompleteWalk(IReadOnlyList<HistoryPage> pages)
    {
        var ids = pages.SelectMany(p => p.Ids).ToList();
        Assert.Equal(125, ids.Distinct().Count());
        Assert.Equal(room.ExpectedOrder, ids);
        Assert.All(pages.SkipLast(1), p => Assert.True(p.HasMore && p.NextCursor is not null));
        Assert.False(pages[^1].HasMore);
        Assert.Null(pages[^1].NextCursor);
    }

    /// <summary>A hub with one room holding 120 messages at one instant and 5 more a second later (fixture SQL).</summary>
    public sealed class TiedRoomFixture : HubFixture
    {
        public Session Alice { get; private set; } = null!;
        public string RoomId { get; private set; } = "";

        /// <summary>Every id, in the order the contract fixes: createdAt desc, then id desc (ordinal, as the clients compare).</summary>
        public string[] ExpectedOrder { get; private set; } = [];

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            Alice = await CreateUserAsync("alice");
            RoomId = await Alice.CreateRoomAsync("b01");
            var tied = Enumerable.Range(0, 120).Select(_ => History.RandomId()).ToList();
            var later = Enumerable.Range(0, 5).Select(_ => History.RandomId()).ToList();
            await History.InsertAsync(DatabaseUrl, RoomId, Alice, tied, "2026-01-05T10:00:00.000Z");
            await History.InsertAsync(DatabaseUrl, RoomId, Alice, later, "2026-01-05T10:00:01.000Z");
            ExpectedOrder = [.. later.Order(StringComparer.Ordinal).Reverse(), .. tied.Order(StringComparer.Ordinal).Reverse()];
        }
    }
}
