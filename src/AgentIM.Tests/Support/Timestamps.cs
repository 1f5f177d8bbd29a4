using System.Globalization;

namespace AgentIM.Tests.Support;

/// <summary>The wire's one timestamp form (decisions.md): ISO-8601 UTC with exactly three fractional digits, as JS toISOString.</summary>
public static class Timestamps
{
    public const string IsoUtcMillis = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$";

    public static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    public static string Format(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Asserts the wire time is within a minute of <paramref name="expected"/>: a zone leak is off by whole hours.</summary>
    public static void AssertNear(DateTimeOffset expected, string actual) =>
        Assert.InRange(Parse(actual), expected.AddMinutes(-1), expected.AddMinutes(1));
}
