namespace AgentIM.Tests.Support;

/// <summary>A hub that admits only a few client frames per user per window, so the limit is reached in a few frames.</summary>
public sealed class LowRateLimitHubFixture : HubFixture
{
    public const int MaxFrames = 4;

    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["CLIENT_RATE_LIMIT_MAX"] = MaxFrames.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CLIENT_RATE_LIMIT_WINDOW"] = "60",
    };
}
