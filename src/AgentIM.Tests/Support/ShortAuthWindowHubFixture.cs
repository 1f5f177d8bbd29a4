namespace AgentIM.Tests.Support;

/// <summary>A hub whose sockets must authenticate within 300 ms, so the auth timeout can be watched quickly.</summary>
public sealed class ShortAuthWindowHubFixture : HubFixture
{
    public const int AuthWindowMs = 300;

    protected override IReadOnlyDictionary<string, string> Overrides => new Dictionary<string, string>
    {
        ["WS_AUTH_TIMEOUT_MS"] = AuthWindowMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
