using System.Net.Sockets;
using System.Text;

namespace AgentIM.Tests.Uploads;

/// <summary>
/// One HTTP/1.1 request written by hand on a fresh TCP connection, so a path reaches the hub exactly as typed
/// (curl's <c>--path-as-is</c>): no client folds <c>..</c> segments or re-encodes escapes on the way.
/// </summary>
public static class RawHttp
{
    public static async Task<(int Status, string Body)> GetAsync(Uri baseAddress, string rawPath, string token)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        await using var stream = client.GetStream();
        var request = $"GET {rawPath} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\n"
            + $"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await reader.ReadToEndAsync(timeout.Token);
        var statusLine = response[..response.IndexOf("\r\n", StringComparison.Ordinal)];
        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var bodyStart = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, bodyStart < 0 ? "" : response[(bodyStart + 4)..]);
    }
}
