using System.Text.Json.Nodes;
using AgentIM.Gateway;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The adapters' permission bridge on its own: the request frame it sends, the hub's decisions mapped, its own
/// timeout (a denial), unknown answers ignored, and shutdown denying what still waits.
/// </summary>
public sealed class PermissionBridgeTests
{
    [Theory]
    [InlineData("allow", PermissionDecision.Allow)]
    [InlineData("allowAlways", PermissionDecision.AllowAlways)]
    [InlineData("deny", PermissionDecision.Deny)]
    [InlineData("timeout", PermissionDecision.Timeout)]
    [InlineData("something-else", PermissionDecision.Deny)]
    public async Task Ask_HubAnswers_DecisionMapped(string answer, PermissionDecision expected)
    {
        var sink = new Sink();
        var bridge = new PermissionBridge(sink);

        var ask = bridge.AskAsync("agent-1", "room-1", "Bash", new JsonObject { ["command"] = "ls" }, CancellationToken.None);
        var frame = JsonNode.Parse(Assert.Single(sink.Frames).Frame)!.AsObject();
        Assert.False(bridge.Resolve(new JsonObject { ["requestId"] = "other", ["decision"] = "allow" }));
        Assert.True(bridge.Resolve(new JsonObject { ["requestId"] = frame["requestId"]!.GetValue<string>(), ["decision"] = answer }));

        Assert.Equal(expected, await ask.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("gateway:permission_request", frame["type"]!.GetValue<string>());
        Assert.Equal("agent-1", frame["agentId"]!.GetValue<string>());
        Assert.Equal("room-1", frame["roomId"]!.GetValue<string>());
        Assert.Equal("Bash", frame["toolName"]!.GetValue<string>());
        Assert.Equal("ls", frame["toolInput"]!["command"]!.GetValue<string>());
        Assert.Equal(300_000, frame["timeoutMs"]!.GetValue<int>());
        Assert.Equal(FramePriority.Critical, sink.Frames[0].Priority);
        Assert.Equal(0, bridge.Pending);
    }

    [Fact]
    public async Task Ask_NoAnswer_TimesOutAsDenial()
    {
        var sink = new Sink();
        var bridge = new PermissionBridge(sink) { Timeout = TimeSpan.FromMilliseconds(300) };

        var decision = await bridge.AskAsync("a", "r", "Write", [], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PermissionDecision.Timeout, decision);
        Assert.Equal(1_000, JsonNode.Parse(sink.Frames[0].Frame)!["timeoutMs"]!.GetValue<int>());
        Assert.Equal(0, bridge.Pending);
    }

    [Fact]
    public async Task DenyAllAndStop_WaitingRequestsDenied()
    {
        var bridge = new PermissionBridge(new Sink());
        using var stop = new CancellationTokenSource();

        var first = bridge.AskAsync("a", "r", "Bash", [], CancellationToken.None);
        var second = bridge.AskAsync("a", "r", "Bash", [], stop.Token);
        await stop.CancelAsync();
        bridge.DenyAll();

        Assert.Equal(PermissionDecision.Deny, await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(PermissionDecision.Deny, await second.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private sealed class Sink : IFrameSink
    {
        public List<(string Frame, FramePriority Priority)> Frames { get; } = [];

        public void Send(string frame, FramePriority priority)
        {
            lock (Frames)
            {
                Frames.Add((frame, priority));
            }
        }
    }
}
