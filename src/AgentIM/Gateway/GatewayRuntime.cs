namespace AgentIM.Gateway;

/// <summary>
/// A running gateway: the hub link, the agent host and the status file, wired together. Used by
/// <c>agentim gateway</c>, <c>agentim run</c> and the tests (in-process).
/// </summary>
public sealed class GatewayRuntime
{
    private readonly GatewayConfigStore _store;
    private readonly bool _writeStatus;

    public GatewayRuntime(
        GatewayConfigStore store, GatewaySettings settings, HubLinkOptions options, AdapterCatalog catalog, ILoggerFactory loggers,
        bool persistentAgentIds, bool writeStatus = true)
    {
        _store = store;
        _writeStatus = writeStatus;
        Tokens = new TokenKeeper(store, new HubAccounts(HubAccounts.CreateHttpClient()), settings);
        Link = new HubLink(options, Tokens, loggers.CreateLogger("AgentIM.Gateway.HubLink"));
        Host = new AgentHost(
            Link,
            persistentAgentIds ? store : null,
            (type, _) => catalog.Create(type).Adapter,
            loggers.CreateLogger("AgentIM.Gateway.AgentHost"));
        Link.Host = Host;
        Link.StateChanged += _ => WriteStatus();
    }

    public TokenKeeper Tokens { get; }

    public HubLink Link { get; }

    public AgentHost Host { get; }

    /// <summary>Runs until cancelled: stops the agents' work, lets the completions out, unregisters, closes.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linkStop = new CancellationTokenSource();
        var link = Link.RunAsync(linkStop.Token);
        var status = StatusLoopAsync(linkStop.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        // Stop the work first so its completions are queued while the link is still up (gateway-cli.md §4.5).
        await Host.StopAllAsync(TimeSpan.FromSeconds(10));
        var drained = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (Link.QueuedFrames > 0 && Link.State == LinkState.Authenticated && DateTime.UtcNow < drained)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        await linkStop.CancelAsync();
        await link;
        await status;
        WriteStatus();
    }

    private async Task StatusLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                WriteStatus();
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void WriteStatus()
    {
        if (!_writeStatus)
        {
            return;
        }

        var agents = Host.Agents.Select(a =>
        {
            lock (a)
            {
                var state = Link.State != LinkState.Authenticated ? "offline" : a.Running.Count > 0 ? "busy" : "online";
                return new AgentStatusEntry(a.Id, a.Registration.Name, a.Registration.Type, state, a.QueueDepth);
            }
        }).ToList();
        try
        {
            _store.SaveStatus(new GatewayStatusFile(
                Environment.ProcessId, Tokens.Settings.ServerBaseUrl, Link.State.ToString(), DateTime.UtcNow, agents));
        }
        catch (IOException)
        {
            // The status file is a convenience for `agentim status`; the gateway runs on without it.
        }
    }
}
