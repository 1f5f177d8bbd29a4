using System.Net.Sockets;
using System.Text;
using AgentIM.Tests.Smoke;

namespace AgentIM.Tests.Cli;

/// <summary>
/// `agentim serve` as systemd runs it with Type=notify and WatchdogSec=: the published binary finds NOTIFY_SOCKET
/// (without a systemd parent) and sends READY=1 and then WATCHDOG=1 pings to it.
/// </summary>
public sealed class SystemdNotifyTests(PublishedHub hub) : IClassFixture<PublishedHub>
{
    [Fact]
    public async Task PublishedServe_WithNotifySocketAndWatchdog_SendsReadyAndWatchdogPings()
    {
        var folder = Directory.CreateTempSubdirectory("agentim-notify-");
        var path = Path.Combine(folder.FullName, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        var port = PublishedHub.FreeLoopbackPort();
        using var process = hub.StartOther(new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["NOTIFY_SOCKET"] = path,
            ["WATCHDOG_USEC"] = "400000",
        }, "serve");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var received = new List<string>();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var buffer = new byte[4096];
            while (!(received.Any(d => d.Split('\n').Contains("READY=1"))
                && received.Count(d => d.Split('\n').Contains("WATCHDOG=1")) >= 2))
            {
                try
                {
                    var length = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                    received.Add(Encoding.UTF8.GetString(buffer, 0, length));
                }
                catch (OperationCanceledException)
                {
                    Assert.Fail($"datagrams so far: [{string.Join(" | ", received)}]; hub output:\n{output}");
                }
            }

            Assert.False(process.HasExited);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            folder.Delete(recursive: true);
        }
    }
}
