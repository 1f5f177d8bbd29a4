using System.Net.Sockets;
using System.Text;

namespace AgentIM.Tests.Support;

/// <summary>A WebSocket spoken by hand over a bare TCP stream, for tests that must misbehave as a client would.</summary>
public static class RawWebSocket
{
    /// <summary>Upgrades <paramref name="stream"/> on <c>/ws/client</c> and asserts the 101 answer.</summary>
    public static async Task HandshakeAsync(NetworkStream stream, string authority)
    {
        var request = $"GET /ws/client HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.Equal(1, await stream.ReadAsync(one));
            head.Append((char)one[0]);
        }

        Assert.StartsWith("HTTP/1.1 101", head.ToString(), StringComparison.Ordinal);
    }

    /// <summary>One masked text frame, as a client must send it (payloads up to 64 KiB).</summary>
    public static byte[] MaskedTextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new List<byte> { 0x81 };
        if (payload.Length < 126)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }

        byte[] mask = [0x12, 0x34, 0x56, 0x78];
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        return [.. frame];
    }
}
