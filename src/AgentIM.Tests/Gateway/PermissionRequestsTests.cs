using System.Text.Json.Nodes;
using AgentIM.Gateway;

namespace AgentIM.Tests.Gateway;

/// <summary>
/// The gateway side of tool approvals on its own: the request frame it sends, the hub's decisions mapped (its
/// <c>timeout</c> is a deny), its own timeout (a deny with a notice chunk), answers for another agent or an unknown
/// request ignored, and a stop or shutdown denying what still waits.
/// </summary>
public sealed class PermissionRequestsTests
{
    [Theory]
    [InlineData("allow", PermissionDecision.Allow)]
    [InlineData("allowAlways", PermissionDecision.AllowAlways)]
    [InlineData("deny", PermissionDecision.Deny)]
    [InlineData("timeout", PermissionDecision.Deny)]
    [InlineData("something-else", PermissionDecision.Deny)]
    public async Task Ask_HubAnswers_DecisionMapped(string decision, PermissionDecision expected)
    {
        var sink = new Sink();
        var requests = new PermissionRequests(sink);
        var ask = new PermissionAsk("Bash", new JsonObject { ["command"] = "ls" }, TimeSpan.FromMinutes(5));

        var waiting = requests.AskAsync("agent-1", "room-1", ask, _ => Task.CompletedTask, CancellationToken.None);
        var frame = JsonNode.Parse(Assert.Single(sink.Frames).Frame)!.AsObject();
        var requestId = frame["requestId"]!.GetValue<string>();
        Assert.False(requests.Resolve("other", "agent-1", "allow", null));
        Assert.False(requests.Resolve(requestId, "agent-2", "allow", null));
        Assert.True(requests.Resolve(requestId, "agent-1", decision, null));

        Assert.Equal(expected, (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Decision);
        Assert.Equal("gateway:permission_request", frame["type"]!.GetValue<string>());
        Assert.Equal("agent-1", frame["agentId"]!.GetValue<string>());
        Assert.Equal("room-1", frame["roomId"]!.GetValue<string>());
        Assert.Equal("Bash", frame["toolName"]!.GetValue<string>());
        Assert.Equal("ls", frame["toolInput"]!["command"]!.GetValue<string>());
        Assert.Equal(300_000, frame["timeoutMs"]!.GetValue<int>());
        Assert.Equal(FramePriority.Critical, sink.Frames[0].Priority);
        Assert.Equal(0, requests.Count);
    }

    [Fact]
    public async Task Ask_NoAnswer_DeniedWithNotice()
    {
        var sink = new Sink();
        var requests = new PermissionRequests(sink);
        var notices = new List<AgentChunk>();

        var answer = await requests.AskAsync("a", "r", new PermissionAsk("Write", [], TimeSpan.FromMilliseconds(10)), c =>
        {
            notices.Add(c);
            return Task.CompletedTask;
        }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(PermissionDecision.Deny, answer.Decision);
        Assert.False(answer.Allowed);
        Assert.Equal(1_000, JsonNode.Parse(sink.Frames[0].Frame)!["timeoutMs"]!.GetValue<int>());
        Assert.Contains("timed out", Assert.Single(notices).Content);
        Assert.Equal(0, requests.Count);
    }

    [Fact]
    public async Task StopAndDenyAll_WaitingRequestsDenied()
    {
        var requests = new PermissionRequests(new Sink());
        using var stop = new CancellationTokenSource();
        var ask = new PermissionAsk("Bash", [], TimeSpan.FromMinutes(5));

        var first = requests.AskAsync("a", "r", ask, _ => Task.CompletedTask, CancellationToken.None);
        var other = requests.AskAsync("b", "r", ask, _ => Task.CompletedTask, CancellationToken.None);
        var stopped = requests.AskAsync("a", "r", ask, _ => Task.CompletedTask, stop.Token);
        await stop.CancelAsync();
        requests.DenyAll("a");

        Assert.Equal(PermissionDecision.Deny, (await first.WaitAsync(TimeSpan.FromSeconds(10))).Decision);
        Assert.Equal(PermissionDecision.Deny, (await stopped.WaitAsync(TimeSpan.FromSeconds(10))).Decision);
        Assert.False(other.IsCompleted);
        requests.DenyAll();
        Assert.Equal(PermissionDecision.Deny, (await other.WaitAsync(TimeSpan.FromSeconds(10))).Decision);
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
