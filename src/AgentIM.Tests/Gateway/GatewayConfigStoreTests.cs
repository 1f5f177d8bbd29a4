using AgentIM.Gateway;

namespace AgentIM.Tests.Gateway;

/// <summary>The config folder: private modes, a gateway id that survives logout, agent ids kept per name, the queue's priorities.</summary>
public sealed class GatewayConfigStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("agentim-cfg-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void SaveSettings_FolderAndFile_OnlyTheUserMayRead()
    {
        var store = new GatewayConfigStore(Path.Combine(_root, "agentim"));

        store.SaveSettings(new GatewaySettings(2, "ws://127.0.0.1:1/ws/gateway", "http://127.0.0.1:1", "t", "r", store.GatewayId(), "u"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store.Directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.ConfigPath));
        Assert.All(Directory.GetFiles(store.Directory),
            f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.Equal("t", store.LoadSettings()!.Token);
    }

    [Fact]
    public void GatewayId_StableAcrossLogout()
    {
        var store = new GatewayConfigStore(Path.Combine(_root, "agentim"));
        var id = store.GatewayId();
        store.SaveSettings(new GatewaySettings(2, "ws://h/ws/gateway", "http://h", "t", "r", id, null));

        Assert.True(store.DeleteSettings());

        Assert.Null(store.LoadSettings());
        Assert.Equal(id, new GatewayConfigStore(store.Directory).GatewayId());
        Assert.Equal(21, id.Length);
    }

    [Fact]
    public void AgentId_SameNameKeepsId_ForgottenGetsFresh()
    {
        var store = new GatewayConfigStore(Path.Combine(_root, "agentim"));
        var first = store.AgentId("dev", "generic", "/srv");

        Assert.Equal(first, new GatewayConfigStore(store.Directory).AgentId("dev", "generic", "/srv"));
        Assert.Equal(first, store.AgentId("dev", "generic", "/elsewhere"));
        Assert.NotEqual(first, store.AgentId("qa", "generic", null));
        store.ForgetAgent(first);
        Assert.NotEqual(first, store.AgentId("dev", "generic", "/srv"));
    }

    [Fact]
    public void FromEnvironment_PrefersXdgConfigHome() =>
        Assert.EndsWith(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } ? "/agentim" : "/.agentim",
            GatewayConfigStore.FromEnvironment().Directory);

    [Fact]
    public async Task Queue_Full_CriticalEvictsNormalThenHigh_NormalDropped()
    {
        var queue = new OutgoingQueue(3);
        Assert.True(queue.TryEnqueue("n1", FramePriority.Normal));
        Assert.True(queue.TryEnqueue("h1", FramePriority.High));
        Assert.True(queue.TryEnqueue("c1", FramePriority.Critical));

        Assert.False(queue.TryEnqueue("n2", FramePriority.Normal));
        Assert.True(queue.TryEnqueue("c2", FramePriority.Critical));
        Assert.False(queue.TryEnqueue("h2", FramePriority.High));
        Assert.True(queue.TryEnqueue("c3", FramePriority.Critical));
        Assert.False(queue.TryEnqueue("c4", FramePriority.Critical));

        Assert.Equal(3, queue.Count);
        var order = new List<string>();
        while (queue.Count > 0)
        {
            var frame = await queue.PeekAsync(CancellationToken.None);
            order.Add(frame);
            queue.Remove(frame);
        }

        Assert.Equal(["c1", "c2", "c3"], order);
    }

    [Fact]
    public void AgentSpec_ParsesNameTypeAndDirectory()
    {
        Assert.Equal(new AgentSpec("dev", "generic", "/srv/a:b"), AgentSpec.Parse("dev:generic:/srv/a:b"));
        Assert.Equal(new AgentSpec("dev", "claude", null), AgentSpec.Parse("dev:claude"));
        Assert.Null(AgentSpec.Parse("dev"));
        Assert.Null(AgentSpec.Parse(":generic"));
    }
}
