using System.Runtime.CompilerServices;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Rooms;

/// <summary>
/// Three users shared by the room tests of one hub: rooms are created fresh per test, so the users can be reused and
/// the suite pays for their password hashing once.
/// </summary>
public sealed record RoomCast(Session Alice, Session Bob, Session Carol)
{
    private static readonly ConditionalWeakTable<HubFixture, Task<RoomCast>> Casts = new();

    public static Task<RoomCast> OfAsync(HubFixture hub) => Casts.GetValue(hub, async h => new RoomCast(
        await TestUsers.CreateAsync(h, "alice"), await TestUsers.CreateAsync(h, "bob"), await TestUsers.CreateAsync(h, "carol")));
}
