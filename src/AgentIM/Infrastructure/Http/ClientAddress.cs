using System.Net;
using AgentIM.Infrastructure.Config;

namespace AgentIM.Infrastructure.Http;

/// <summary>
/// The client's address for rate limits and audit (decisions.md, case B10): the TCP peer, unless the peer is a
/// trusted proxy; then <c>X-Forwarded-For</c> is read from right to left and the first address that is not itself
/// a trusted proxy is the client. Entries to the left of it were written by the client and are never believed.
/// <c>X-Real-IP</c> is ignored.
/// </summary>
public static class ClientAddress
{
    public const string Unknown = "unknown";

    private static readonly object ItemKey = new();

    /// <summary>The client address of this request (computed once per request).</summary>
    public static string Of(HttpContext context, TrustedProxies trustedProxies)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is string known)
        {
            return known;
        }

        var address = Resolve(context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"], trustedProxies);
        var text = address?.ToString() ?? Unknown;
        context.Items[ItemKey] = text;
        return text;
    }

    public static IPAddress? Resolve(IPAddress? peer, IEnumerable<string?> forwardedFor, TrustedProxies trustedProxies)
    {
        if (peer is null)
        {
            return null;
        }

        var current = Normalize(peer);
        var hops = forwardedFor
            .SelectMany(value => (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        for (var i = hops.Count - 1; i >= 0 && trustedProxies.Contains(current); i--)
        {
            if (!TryParseHop(hops[i], out var hop))
            {
                // A malformed hop is not an address we can key on; stay with the last proxy that vouched.
                break;
            }

            current = hop;
        }

        return current;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Accepts <c>1.2.3.4</c>, <c>1.2.3.4:5678</c>, <c>2001:db8::1</c> and <c>[2001:db8::1]:443</c>.</summary>
    private static bool TryParseHop(string hop, out IPAddress address)
    {
        if (IPAddress.TryParse(hop, out var parsed)
            || (IPEndPoint.TryParse(hop, out var endPoint) && (parsed = endPoint.Address) is not null))
        {
            address = Normalize(parsed);
            return true;
        }

        address = IPAddress.None;
        return false;
    }
}
