using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AgentIM.Infrastructure;

namespace AgentIM.Gateway;

/// <summary>
/// The gateway's config folder: <c>$XDG_CONFIG_HOME/agentim</c>, else <c>~/.agentim</c> (gateway-cli.md §2).
/// The folder is 0700 and every file 0600, written through a temp file and a rename so a reader never sees half a
/// file. Tokens sit in <c>config.json</c>; the gateway id and the agent ids live in files of their own, so a
/// logout (which deletes <c>config.json</c>) keeps the installation's identity and its agents' room memberships.
/// </summary>
public sealed class GatewayConfigStore(string directory)
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Lock _agentsLock = new();

    public string Directory { get; } = directory;

    public string ConfigPath => Path.Combine(Directory, "config.json");

    private string GatewayIdPath => Path.Combine(Directory, "gateway-id");

    private string AgentsPath => Path.Combine(Directory, "agents.json");

    private string AdaptersPath => Path.Combine(Directory, "adapters.json");

    private string StatusPath => Path.Combine(Directory, "status.json");

    /// <summary>The folder the environment names: <c>$XDG_CONFIG_HOME/agentim</c>, else <c>$HOME/.agentim</c>.</summary>
    public static GatewayConfigStore FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
        {
            return new GatewayConfigStore(Path.Combine(xdg, "agentim"));
        }

        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h
            ? h
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new GatewayConfigStore(Path.Combine(home, ".agentim"));
    }

    /// <summary>The login state, or null when logged out (or the file is unreadable).</summary>
    public GatewaySettings? LoadSettings() => Read(ConfigPath, GatewayJson.Default.GatewaySettings);

    public void SaveSettings(GatewaySettings settings) => Write(ConfigPath, settings, GatewayJson.Default.GatewaySettings);

    /// <summary>Deletes the login state; true when there was one.</summary>
    public bool DeleteSettings()
    {
        if (!File.Exists(ConfigPath))
        {
            return false;
        }

        File.Delete(ConfigPath);
        return true;
    }

    /// <summary>Detached gateways' records: <c>daemons/</c> in the config folder, or <c>AGENTIM_DAEMONS_DIR</c>.</summary>
    public string DaemonsDirectory => Environment.GetEnvironmentVariable("AGENTIM_DAEMONS_DIR") is { Length: > 0 } d && Path.IsPathRooted(d)
        ? d
        : Path.Combine(Directory, "daemons");

    /// <summary>The log file of a detached gateway.</summary>
    public string LogPath(string name) => Path.Combine(Directory, "logs", name + ".log");

    public string DaemonPath(string name) => Path.Combine(DaemonsDirectory, name + ".json");

    public DaemonRecord? LoadDaemon(string name) => Read(DaemonPath(name), GatewayJson.Default.DaemonRecord);

    public void SaveDaemon(DaemonRecord daemon)
    {
        System.IO.Directory.CreateDirectory(DaemonsDirectory);
        Write(DaemonPath(daemon.Name), daemon, GatewayJson.Default.DaemonRecord);
    }

    /// <summary>Every daemon record, by name.</summary>
    public IReadOnlyList<DaemonRecord> Daemons() => !System.IO.Directory.Exists(DaemonsDirectory)
        ? []
        : [.. System.IO.Directory.EnumerateFiles(DaemonsDirectory, "*.json")
            .Where(f => !f.EndsWith(".status.json", StringComparison.Ordinal))
            .Select(f => Read(f, GatewayJson.Default.DaemonRecord))
            .OfType<DaemonRecord>()
            .OrderBy(d => d.Name, StringComparer.Ordinal)];

    /// <summary>How long the revoked marker counts (gateway-cli.md §2: ignored after 24 h).</summary>
    public static readonly TimeSpan RevokedMarkerLifetime = TimeSpan.FromHours(24);

    /// <summary><c>auth-revoked</c>: written when the session cannot be renewed, removed on a successful auth or login.</summary>
    public string RevokedMarkerPath => Path.Combine(Directory, "auth-revoked");

    public void MarkRevoked()
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(RevokedMarkerPath, DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + "\n");
    }

    public void ClearRevoked()
    {
        if (File.Exists(RevokedMarkerPath))
        {
            File.Delete(RevokedMarkerPath);
        }
    }

    /// <summary>When the session was found revoked, or null (no marker, or one older than 24 h).</summary>
    public DateTime? RevokedAt()
    {
        if (!File.Exists(RevokedMarkerPath))
        {
            return null;
        }

        var at = File.GetLastWriteTimeUtc(RevokedMarkerPath);
        return DateTime.UtcNow - at < RevokedMarkerLifetime ? at : null;
    }

    /// <summary>This installation's gateway id: created once, kept across logins and logouts.</summary>
    public string GatewayId()
    {
        EnsureDirectory();
        if (File.Exists(GatewayIdPath) && File.ReadAllText(GatewayIdPath).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        var id = Ids.New();
        WriteText(GatewayIdPath, id + "\n");
        return id;
    }

    /// <summary>The id this installation uses for the agent of that name, made (and remembered) on first use.</summary>
    public string AgentId(string name, string type, string? workingDirectory)
    {
        lock (_agentsLock)
        {
            var file = Read(AgentsPath, GatewayJson.Default.KnownAgentsFile) ?? new KnownAgentsFile([]);
            var known = file.Agents.FirstOrDefault(a => a.Name == name);
            if (known is not null && known.Type == type && known.WorkingDirectory == workingDirectory)
            {
                return known.Id;
            }

            var id = known?.Id ?? Ids.New();
            file.Agents.RemoveAll(a => a.Name == name);
            file.Agents.Add(new KnownAgent(id, name, type, workingDirectory));
            Write(AgentsPath, file, GatewayJson.Default.KnownAgentsFile);
            return id;
        }
    }

    /// <summary>The agents this installation has registered.</summary>
    public IReadOnlyList<KnownAgent> KnownAgents()
    {
        lock (_agentsLock)
        {
            return Read(AgentsPath, GatewayJson.Default.KnownAgentsFile)?.Agents ?? [];
        }
    }

    /// <summary>Forgets an agent the hub deleted, so a later agent of that name gets a fresh id.</summary>
    public void ForgetAgent(string agentId)
    {
        lock (_agentsLock)
        {
            if (Read(AgentsPath, GatewayJson.Default.KnownAgentsFile) is { } file && file.Agents.RemoveAll(a => a.Id == agentId) > 0)
            {
                Write(AgentsPath, file, GatewayJson.Default.KnownAgentsFile);
            }
        }
    }

    public void SaveStatus(GatewayStatusFile status) => Write(StatusPath, status, GatewayJson.Default.GatewayStatusFile);

    public GatewayStatusFile? LoadStatus() => Read(StatusPath, GatewayJson.Default.GatewayStatusFile);

    /// <summary>Custom adapters by name from <c>adapters.json</c>; the built-in names are ignored (gateway-cli.md §2).</summary>
    public IReadOnlyDictionary<string, CustomAdapter> CustomAdapters()
    {
        var all = Read(AdaptersPath, GatewayJson.Default.DictionaryStringCustomAdapter) ?? [];
        foreach (var builtIn in AgentTypes.BuiltIn)
        {
            all.Remove(builtIn);
        }

        return all;
    }

    private void EnsureDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
            return;
        }

        System.IO.Directory.CreateDirectory(Directory, PrivateDirectory);
        File.SetUnixFileMode(Directory, PrivateDirectory);
    }

    private static T? Read<T>(string path, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, type);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    private void Write<T>(string path, T value, JsonTypeInfo<T> type) => WriteText(path, JsonSerializer.Serialize(value, type) + "\n");

    private void WriteText(string path, string text)
    {
        EnsureDirectory();
        var temp = $"{path}.{Ids.New(8)}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
