using System.Runtime.Versioning;
using AgentIM.Gateway;
using AgentIM.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

// The gateway's tests use Unix file modes and processes; the suite runs on Linux only.
[assembly: SupportedOSPlatform("linux")]

namespace AgentIM.Tests.Gateway;

/// <summary>
/// A real gateway (the same code `agentim gateway` runs) logged in to a test hub, with a config folder of its own
/// and shortened reconnect timers. Agents are added before <see cref="StartAsync"/>; a restart keeps the folder.
/// </summary>
public sealed class GatewayStage : IAsyncDisposable
{
    private CancellationTokenSource? _stop;
    private Task? _run;

    private GatewayStage(HubFixture hub, Session owner, GatewayConfigStore store, string scripts)
    {
        Hub = hub;
        Owner = owner;
        Store = store;
        Scripts = scripts;
    }

    public HubFixture Hub { get; }

    public Session Owner { get; }

    public GatewayConfigStore Store { get; }

    /// <summary>A folder for the scripts a test writes.</summary>
    public string Scripts { get; }

    public GatewayRuntime Runtime { get; private set; } = null!;

    public static HubLinkOptions FastOptions => new()
    {
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
        RevokedRetry = TimeSpan.FromSeconds(1),
    };

    /// <summary>A fresh user logged in through the gateway's own login call; the tokens saved as `agentim login` saves them.</summary>
    public static async Task<GatewayStage> CreateAsync(HubFixture hub)
    {
        var owner = await TestUsers.CreateAsync(hub, "gwuser");
        var root = Directory.CreateTempSubdirectory("agentim-gw-").FullName;
        var store = new GatewayConfigStore(Path.Combine(root, "config"));
        var baseUrl = HubAccounts.NormalizeServer(hub.BaseAddress.ToString())!;
        using var http = HubAccounts.CreateHttpClient();
        var (tokens, error) = await new HubAccounts(http).LoginAsync(
            baseUrl, owner.Username, HubFixture.UserPassword, CancellationToken.None);
        Assert.True(tokens is not null, error);
        store.SaveSettings(new GatewaySettings(2, HubAccounts.GatewaySocketUrl(baseUrl), baseUrl, tokens.AccessToken, tokens.RefreshToken,
            store.GatewayId(), owner.Username));
        var stage = new GatewayStage(hub, owner, store, Directory.CreateDirectory(Path.Combine(root, "scripts")).FullName);
        stage.NewRuntime();
        return stage;
    }

    /// <summary>Writes an executable script and returns its path.</summary>
    public string Script(string name, string body)
    {
        var path = Path.Combine(Scripts, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Hosts a generic agent that runs <paramref name="command"/>; returns its id.</summary>
    public string AddAgent(string name, string command, GenericAdapterOptions? options = null, string? workingDirectory = null)
    {
        var adapterOptions = options ?? new GenericAdapterOptions(command, []);
        var adapter = new GenericAdapter(adapterOptions, new SecretRedactor([], null));
        return Runtime.Host.Add(name, AgentTypes.Generic, workingDirectory, adapter).Id;
    }

    public async Task StartAsync(bool waitForAuth = true)
    {
        _stop = new CancellationTokenSource();
        _run = Runtime.RunAsync(_stop.Token);
        if (!waitForAuth)
        {
            return;
        }

        await Eventually.AssertAsync(() => Task.FromResult(Runtime.Link.State == LinkState.Authenticated), "gateway authenticated");
    }

    /// <summary>Stops the gateway as a signal does and builds a new one on the same config folder (a restart).</summary>
    public async Task RestartAsync(Action<GatewayStage> addAgents, bool waitForAuth = true)
    {
        await StopAsync();
        NewRuntime();
        addAgents(this);
        await StartAsync(waitForAuth);
    }

    public async Task StopAsync()
    {
        if (_stop is not null && _run is not null)
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
            _stop.Dispose();
            _stop = null;
            _run = null;
        }
    }

    /// <summary>Waits until the hub lists the agent online, then makes it a member of a new room of the owner.</summary>
    public async Task<string> RoomWithAsync(params string[] agentIds)
    {
        foreach (var agentId in agentIds)
        {
            await Eventually.AssertAsync(async () =>
            {
                var (status, body) = await Owner.GetAsync($"/api/agents/{agentId}");
                return status == 200 && body?["data"]?["status"]?.GetValue<string>() == "online";
            }, $"agent {agentId} online on the hub");
        }

        var roomId = await Owner.CreateRoomAsync("gw-room");
        foreach (var agentId in agentIds)
        {
            await Owner.AddMemberAsync(roomId, agentId, "agent");
        }

        return roomId;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Path.GetDirectoryName(Scripts)!, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void NewRuntime()
    {
        var settings = Store.LoadSettings()!;
        var catalog = new AdapterCatalog(new Dictionary<string, CustomAdapter>(), null, []);
        Runtime = new GatewayRuntime(Store, settings, FastOptions, catalog, NullLoggerFactory.Instance, persistentAgentIds: true);
    }
}
