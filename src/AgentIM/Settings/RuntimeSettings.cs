using System.Diagnostics;
using AgentIM.Infrastructure.Crypto;

namespace AgentIM.Settings;

/// <summary>
/// Runtime settings (behaviour.md §14.2): the settings table, then the environment, then the default. Table rows
/// are cached for 5 s, so a change made on another node takes effect here within that time and a change made here
/// at once; when the table cannot be read, the last rows read stay in force. Sensitive values are decrypted here
/// and never leave in clear through the API.
/// </summary>
public sealed class RuntimeSettings(
    SettingCatalog catalog,
    SettingsStore store,
    SettingsEnvironment environment,
    SecretBox secretBox,
    ILogger<RuntimeSettings> logger)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private IReadOnlyDictionary<string, string> _rows = new Dictionary<string, string>();
    private SettingsSnapshot? _snapshot;
    private long _loadedAtTicks;

    public SettingCatalog Catalog => catalog;

    /// <summary>The current settings; reads the table when the cached copy is older than <see cref="CacheLifetime"/>.</summary>
    public async ValueTask<SettingsSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && Stopwatch.GetElapsedTime(Volatile.Read(ref _loadedAtTicks)) < CacheLifetime)
        {
            return snapshot;
        }

        await _loadGate.WaitAsync(cancellationToken);
        try
        {
            snapshot = _snapshot;
            if (snapshot is not null && Stopwatch.GetElapsedTime(Volatile.Read(ref _loadedAtTicks)) < CacheLifetime)
            {
                return snapshot;
            }

            try
            {
                _rows = await store.LoadAllAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Keep the last rows: a database hiccup must not flip limits or origins back to their defaults.
                SettingsLog.LoadFailed(logger, e);
            }

            snapshot = Resolve(_rows);
            _snapshot = snapshot;
            Volatile.Write(ref _loadedAtTicks, Stopwatch.GetTimestamp());
            return snapshot;
        }
        finally
        {
            _loadGate.Release();
        }
    }

    /// <summary>Reads the table now, bypassing the cache (the admin view must show what is stored).</summary>
    public async Task<SettingsSnapshot> LoadFreshAsync(CancellationToken cancellationToken)
    {
        Invalidate();
        var rows = await store.LoadAllAsync(cancellationToken);
        _rows = rows;
        var snapshot = Resolve(rows);
        _snapshot = snapshot;
        Volatile.Write(ref _loadedAtTicks, Stopwatch.GetTimestamp());
        return snapshot;
    }

    /// <summary>Drops the cached copy so the next read goes to the table.</summary>
    public void Invalidate() => Volatile.Write(ref _loadedAtTicks, 0);

    /// <summary>
    /// Applies changes key by key; a refused key does not stop the others (the contract's partial success).
    /// A null value deletes the row, so the key falls back to the environment or its default. A sensitive value
    /// that still carries the mask (the UI echoing what it was shown) is left as it is.
    /// </summary>
    public async Task<SettingsChangeResult> ChangeAsync(
        IReadOnlyList<KeyValuePair<string, string?>> changes, string? updatedBy, CancellationToken cancellationToken)
    {
        var updated = new List<string>();
        var errors = new List<string>();
        foreach (var (key, raw) in changes)
        {
            if (!catalog.TryGet(key, out var definition))
            {
                errors.Add($"Unknown setting: {key}");
                continue;
            }

            if (raw is null)
            {
                await store.DeleteAsync(key, cancellationToken);
                updated.Add(key);
                continue;
            }

            if (definition.Sensitive && raw.Contains(SettingsMask.Dots, StringComparison.Ordinal))
            {
                continue;
            }

            if (!SettingValidator.TryNormalize(definition, raw, out var value, out var error))
            {
                errors.Add(error!);
                continue;
            }

            var stored = definition.Sensitive && value.Length > 0 ? secretBox.Encrypt(value) : value;
            await store.UpsertAsync(key, stored, updatedBy, cancellationToken);
            updated.Add(key);
        }

        Invalidate();
        if (updated.Count > 0)
        {
            SettingsLog.Changed(logger, string.Join(",", updated), updatedBy ?? "");
        }

        return new SettingsChangeResult(updated, errors);
    }

    private SettingsSnapshot Resolve(IReadOnlyDictionary<string, string> rows)
    {
        var values = new Dictionary<string, ResolvedSetting>(StringComparer.Ordinal);
        foreach (var definition in catalog.All)
        {
            values[definition.Key] = ResolveOne(definition, rows);
        }

        return new SettingsSnapshot(catalog, values);
    }

    private ResolvedSetting ResolveOne(SettingDefinition definition, IReadOnlyDictionary<string, string> rows)
    {
        if (rows.TryGetValue(definition.Key, out var stored))
        {
            if (!definition.Sensitive)
            {
                return new ResolvedSetting(stored, SettingSource.Db);
            }

            if (secretBox.TryDecrypt(stored, out var plain))
            {
                return new ResolvedSetting(plain, SettingSource.Db);
            }

            SettingsLog.UndecryptableSetting(logger, definition.Key);
        }

        if (definition.EnvName is { } name && environment.Get(name) is { } fromEnv)
        {
            // A value HubConfig filled in with its own default is reported as the default.
            return new ResolvedSetting(fromEnv, fromEnv == definition.Default ? SettingSource.Default : SettingSource.Env);
        }

        return new ResolvedSetting(definition.Default, SettingSource.Default);
    }
}
