using AgentIM.Tests.Support;

namespace AgentIM.Tests.Redis;

/// <summary>
/// One hub node with <c>REDIS_URL</c> set. The first node of a pair creates the database; the second is given the
/// first one's database and JWT secret, so both serve the same users and tokens, as nodes behind one proxy do.
/// </summary>
public sealed class NodeFixture(
    string redisUrl, IReadOnlyDictionary<string, string> settings, string? sharedDatabaseUrl = null, string? sharedJwtSecret = null)
    : HubFixture
{
    protected override bool OwnsDatabase => sharedDatabaseUrl is null;

    protected override IReadOnlyDictionary<string, string> Overrides
    {
        get
        {
            var env = new Dictionary<string, string>(settings) { ["REDIS_URL"] = redisUrl };
            if (sharedJwtSecret is not null)
            {
                env["JWT_SECRET"] = sharedJwtSecret;
            }

            return env;
        }
    }

    protected override Task<string> CreateDatabaseAsync() =>
        sharedDatabaseUrl is null ? base.CreateDatabaseAsync() : Task.FromResult(sharedDatabaseUrl);
}
