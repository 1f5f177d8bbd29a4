namespace AgentIM.Cli;

/// <summary>One row of the seed's sizing tables (capacity-planning.md): what a deployment of up to MaxUsers needs.</summary>
public sealed record CapacityTier(
    int MaxUsers,
    int Vcpu,
    int RamGb,
    int DiskGb,
    string Notes,
    int PgMaxConnections,
    int SharedBuffersMb,
    int WorkMemMb,
    int PgDataGb,
    int WsConnections,
    int OpenFiles);

/// <summary>
/// The seed's capacity tables turned into a plan for a given number of users and rooms. Hardware, PostgreSQL,
/// WebSocket and descriptor figures are the table row of the smallest tier that holds the users; Redis memory is
/// summed from the per-unit figures.
/// </summary>
public static class CapacityPlanner
{
    public static readonly IReadOnlyList<CapacityTier> Tiers =
    [
        new(10, 1, 1, 10, "Single VPS, shared PostgreSQL/Redis", 20, 128, 4, 1, 20, 1024),
        new(50, 2, 4, 40, "Dedicated DB, moderate file uploads", 50, 512, 8, 5, 100, 4096),
        new(200, 4, 8, 100, "Separate DB server recommended", 100, 1024, 16, 20, 500, 65536),
    ];

    // Redis per-unit estimates of the seed, in bytes.
    private const double SessionBytes = 512;
    private const double SubscriptionBytes = 102.4;
    private const double ChannelBytes = 204.8;
    private const double TypingBytes = 102.4;
    private const double RevocationBytes = 102.4;

    // Assumptions the seed leaves open: each user joins about half of the rooms, and logs out about ten times
    // within a token's lifetime (the revocation set keeps an entry until the token expires).
    private const double RoomsJoinedShare = 0.5;
    private const int RevocationsPerUser = 10;

    /// <summary>The smallest tier for <paramref name="users"/>, or the largest one when no tier is big enough.</summary>
    public static CapacityTier TierFor(int users) => Tiers.FirstOrDefault(t => users <= t.MaxUsers) ?? Tiers[^1];

    public static CapacityPlan Plan(int users, int? rooms = null)
    {
        var roomCount = rooms ?? users * 2;
        var tier = TierFor(users);
        var beyond = users > Tiers[^1].MaxUsers;

        // Past the last tier, connections grow with the users at the last tier's ratio (2.5 per user).
        var connections = beyond ? (int)Math.Ceiling(users * (double)tier.WsConnections / tier.MaxUsers) : tier.WsConnections;
        var openFiles = beyond ? Math.Max(tier.OpenFiles, (int)RoundUpToPowerOf2(connections * 4L)) : tier.OpenFiles;

        var sessions = connections * SessionBytes;
        var subscriptions = users * roomCount * RoomsJoinedShare * SubscriptionBytes;
        var channels = roomCount * ChannelBytes;
        var typing = users * TypingBytes;
        var revocations = users * RevocationsPerUser * RevocationBytes;
        var redisKb = (int)Math.Ceiling((sessions + subscriptions + channels + typing + revocations) / 1024);
        // A 64 MB instance suffices (seed); recommend more only when the estimate passes a quarter of it.
        var redisInstanceMb = Math.Max(64, (int)RoundUpToPowerOf2(redisKb * 4L / 1024));

        return new CapacityPlan(
            users,
            roomCount,
            tier.MaxUsers,
            new HardwarePlan(tier.Vcpu, tier.RamGb, tier.DiskGb, beyond ? "Run PostgreSQL and Redis on dedicated instances" : tier.Notes),
            new PostgresPlan(tier.PgMaxConnections, tier.SharedBuffersMb, tier.WorkMemMb, tier.PgDataGb),
            new RedisPlan(redisKb, redisInstanceMb,
                Kb(sessions), Kb(subscriptions), Kb(channels), Kb(typing), Kb(revocations)),
            new WebSocketPlan(connections, openFiles),
            new UploadPlan("< 100 MB", "1-5 GB", "5-20 GB"));
    }

    private static double Kb(double bytes) => Math.Round(bytes / 1024, 1);

    /// <summary>The smallest power of two at or above <paramref name="value"/>.</summary>
    private static long RoundUpToPowerOf2(long value) => (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, value));
}
