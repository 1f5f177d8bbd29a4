using System.Globalization;

namespace AgentIM.Infrastructure.Http;

/// <summary>
/// <c>limit</c>/<c>offset</c> query parameters of list routes. Out-of-range values are clamped and unreadable ones fall
/// back to the default, as the contract's user list does, so a sloppy client still gets a page.
/// </summary>
public readonly record struct QueryPaging(int Limit, int Offset)
{
    public static QueryPaging Read(IQueryCollection query, int defaultLimit, int maxLimit)
    {
        var limit = ReadInt(query, "limit", defaultLimit);
        var offset = ReadInt(query, "offset", 0);
        return new QueryPaging(Math.Clamp(limit, 1, maxLimit), Math.Max(offset, 0));
    }

    private static int ReadInt(IQueryCollection query, string name, int fallback) =>
        query.TryGetValue(name, out var raw)
        && int.TryParse(raw.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : fallback;
}
