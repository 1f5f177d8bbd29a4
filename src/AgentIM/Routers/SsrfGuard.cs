using System.Net;
using System.Net.Sockets;

namespace AgentIM.Routers;

/// <summary>Name resolution behind an interface, so the guard's DNS path can be tested without real lookups.</summary>
public interface IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>
/// Refuses router base URLs that reach the hub's own networks (behaviour.md §9.3): schemes other than http(s);
/// localhost names and <c>.local</c>/<c>.internal</c>; numeric hosts in octal, hex or integer form; literal private,
/// loopback, link-local, CGNAT, multicast or reserved addresses, IPv4-mapped and NAT64 forms included; and names
/// that resolve (within 5 s) to any such address. A lookup that fails or times out counts as unsafe.
/// </summary>
public sealed class SsrfGuard(IHostResolver resolver)
{
    public static readonly TimeSpan DefaultDnsTimeout = TimeSpan.FromSeconds(5);

    private static readonly IPNetwork[] BlockedV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("224.0.0.0/4"),
        IPNetwork.Parse("240.0.0.0/4"),
    ];

    private static readonly IPNetwork[] BlockedV6 =
    [
        IPNetwork.Parse("::/128"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("fec0::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    private static readonly IPNetwork EmbeddedV4Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork EmbeddedV4Nat64 = IPNetwork.Parse("64:ff9b::/96");

    public TimeSpan DnsTimeout { get; init; } = DefaultDnsTimeout;

    /// <summary>True when <paramref name="url"/> may be called by the hub.</summary>
    public async Task<bool> IsAllowedAsync(string url, CancellationToken cancellationToken)
    {
        if (!TryStaticCheck(url, out var host))
        {
            return false;
        }

        if (host is null)
        {
            return true;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DnsTimeout);
        IPAddress[] addresses;
        try
        {
            addresses = await resolver.ResolveAsync(host, timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }

        return addresses.Length > 0 && addresses.All(a => !IsBlocked(a));
    }

    /// <summary>
    /// Everything decidable without DNS. False when refused; true with <paramref name="hostToResolve"/> null when the
    /// host is a public literal address, or set to the name that still has to be resolved.
    /// </summary>
    public static bool TryStaticCheck(string url, out string? hostToResolve)
    {
        hostToResolve = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return false;
        }

        var raw = RawHost(url);
        if (raw is null || raw.Length == 0 || IsBlockedName(raw) || IsOddNumericHost(raw))
        {
            return false;
        }

        var literal = raw.StartsWith('[') ? raw.Trim('[', ']') : raw;
        if (IPAddress.TryParse(literal, out var address))
        {
            return !IsBlocked(address);
        }

        // The parser may still have read the host as an address (it accepts forms we did not list).
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            return IPAddress.TryParse(uri.DnsSafeHost, out var parsed) && !IsBlocked(parsed);
        }

        hostToResolve = uri.IdnHost.TrimEnd('.');
        return !IsBlockedName(hostToResolve);
    }

    /// <summary>
    /// An HTTP client for LLM calls whose every connection checks the resolved addresses again (no redirects, no
    /// proxy), so a name that changes its answer after validation still cannot reach a refused address.
    /// <paramref name="allowLoopback"/> lets tests and local development reach an LLM on loopback only.
    /// </summary>
    public static HttpClient CreateGuardedClient(IHostResolver resolver, bool allowLoopback)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context, resolver, allowLoopback, cancellationToken),
        };
        return new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    private static async ValueTask<Stream> ConnectAsync(
        SocketsHttpConnectionContext context, IHostResolver resolver, bool allowLoopback, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0 || addresses.Any(a => IsBlocked(a) && !(allowLoopback && IPAddress.IsLoopback(a))))
        {
            throw new HttpRequestException("The LLM host resolves to a refused address");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool IsBlocked(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return BlockedV4.Any(n => n.Contains(address));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return IsBlocked(address.MapToIPv4());
        }

        if (BlockedV6.Any(n => n.Contains(address)))
        {
            return true;
        }

        if (EmbeddedV4Compatible.Contains(address) || EmbeddedV4Nat64.Contains(address))
        {
            var bytes = address.GetAddressBytes();
            return IsBlocked(new IPAddress(bytes.AsSpan(12, 4)));
        }

        return false;
    }

    private static bool IsBlockedName(string host)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        return name is "localhost" or "0" || name.EndsWith(".localhost", StringComparison.Ordinal)
            || name.EndsWith(".local", StringComparison.Ordinal) || name.EndsWith(".internal", StringComparison.Ordinal)
            || name == "local" || name == "internal";
    }

    /// <summary>Hex (<c>0x7f.1</c>), octal (<c>0177.0.0.1</c>), short (<c>127.1</c>) or integer (<c>2130706433</c>) IPv4 forms.</summary>
    private static bool IsOddNumericHost(string host)
    {
        var labels = host.TrimEnd('.').Split('.');
        if (labels.Any(l => l.StartsWith("0x", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (!labels.All(l => l.Length > 0 && l.All(char.IsAsciiDigit)))
        {
            return false;
        }

        return labels.Length != 4 || labels.Any(l => l.Length > 1 && l[0] == '0');
    }

    /// <summary>The host as written in the URL (lower case, no user info or port), before any normalisation.</summary>
    private static string? RawHost(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var rest = url[(start + 3)..];
        var end = rest.IndexOfAny(['/', '?', '#', '\\']);
        var authority = end < 0 ? rest : rest[..end];
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            return close < 0 ? null : authority[..(close + 1)].ToLowerInvariant();
        }

        var colon = authority.LastIndexOf(':');
        return (colon >= 0 ? authority[..colon] : authority).ToLowerInvariant();
    }
}
