namespace AgentIM.Gateway;

/// <summary>
/// The gateway's tokens while it runs: the current access token, and a refresh through the JSON-body path that
/// first re-reads <c>config.json</c> in case another process (a new <c>agentim login</c>, another gateway) already
/// rotated them. Rotated tokens are saved at once: the old refresh token is dead after one use.
/// </summary>
public sealed class TokenKeeper(GatewayConfigStore store, HubAccounts accounts, GatewaySettings settings)
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);

    public GatewaySettings Settings { get; private set; } = settings;

    /// <summary>Gets fresh tokens; <see cref="RefreshOutcome.Refused"/> means the user must log in again.</summary>
    public async Task<RefreshOutcome> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            if (store.LoadSettings() is { } onDisk && onDisk.ServerBaseUrl == Settings.ServerBaseUrl && onDisk.Token != Settings.Token)
            {
                Settings = onDisk;
                return RefreshOutcome.Refreshed;
            }

            var (outcome, tokens) = await accounts.RefreshAsync(Settings.ServerBaseUrl, Settings.RefreshToken, cancellationToken);
            if (tokens is not null)
            {
                Settings = Settings with { Token = tokens.AccessToken, RefreshToken = tokens.RefreshToken };
                store.SaveSettings(Settings);
            }

            return outcome;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>Writes the <c>auth-revoked</c> marker (the session is unrecoverable until a new login).</summary>
    public void MarkRevoked() => Marker(store.MarkRevoked);

    /// <summary>Removes the marker after a successful auth.</summary>
    public void ClearRevoked() => Marker(store.ClearRevoked);

    /// <summary>Adopts tokens a new login wrote for the same server; false when there are none or they point elsewhere.</summary>
    public bool ReloadFromDisk()
    {
        if (store.LoadSettings() is { } onDisk && onDisk.ServerBaseUrl == Settings.ServerBaseUrl && onDisk.Token != Settings.Token)
        {
            Settings = onDisk;
            return true;
        }

        return false;
    }

    private static void Marker(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The marker only informs `agentim status`; the gateway works on without it.
        }
    }
}
