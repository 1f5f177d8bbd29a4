using System.Globalization;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using Npgsql;
using StackExchange.Redis;

namespace AgentIM.Cli;

/// <summary>
/// The checks behind <c>agentim capacity check</c>: the deployment the settings point at, measured against the
/// seed tier for the expected number of users. Each check reads only; nothing is changed. The open-file limit is
/// the running hub's (<paramref name="hubPid"/>, else every <c>agentim serve</c> found), not the admin shell's.
/// </summary>
public sealed class CapacityChecks(HubConfig config, CapacityPlan plan, int? hubPid = null)
{
    private const long Mb = 1024 * 1024;
    private const long Gb = 1024 * Mb;

    public async Task<IReadOnlyList<CapacityCheckLine>> RunAsync(CancellationToken cancellationToken)
    {
        var lines = new List<CapacityCheckLine>(OpenFilesOfTheHub());
        lines.AddRange(await PostgresAsync(cancellationToken));
        lines.Add(config.RedisUrl is { Length: > 0 } redisUrl
            ? await RedisAsync(redisUrl)
            : new(CheckVerdict.Pass, "redis",
                "REDIS_URL is not set: one hub node keeping its shared state in process (set it to run several nodes)"));

        lines.AddRange(Uploads());
        lines.Add(config.MetricsAuthEnabled
            ? new CapacityCheckLine(CheckVerdict.Pass, "metrics auth", "GET /api/metrics requires authentication")
            : new CapacityCheckLine(CheckVerdict.Warn, "metrics auth", "GET /api/metrics is open to anyone who can reach the hub",
                "set METRICS_AUTH_ENABLED=true, or allow only the Prometheus host to /api/metrics at the proxy"));
        return lines;
    }

    /// <summary>
    /// One open-files line per running hub: the one <c>--hub-pid</c> names, else every <c>agentim serve</c> on this
    /// machine; with none running, this process's own limit (which a hub started from the same shell inherits).
    /// </summary>
    private IEnumerable<CapacityCheckLine> OpenFilesOfTheHub()
    {
        if (hubPid is { } pid)
        {
            return [OpenFileLimit.SoftOf(pid) is { } limit
                ? OpenFiles(limit, $"the hub (pid {pid})")
                : new(CheckVerdict.Fail, "open files", $"no process with pid {pid} to read /proc/{pid}/limits of",
                    "pass the pid of the running hub: systemctl show -p MainPID --value agentim")];
        }

        var hubs = HubProcesses.Find();
        if (hubs.Count == 0)
        {
            return [OpenFiles(OpenFileLimit.Soft(), "this shell (no running `agentim serve` found; a hub started here inherits it)")];
        }

        return hubs.Select(p => OpenFiles(OpenFileLimit.SoftOf(p), $"the hub (pid {p})"));
    }

    /// <summary>
    /// Each WebSocket holds a descriptor (two behind a local proxy), plus the database pool, logs and listeners:
    /// fewer than that fails; less than the tier's recommended ulimit warns.
    /// </summary>
    public CapacityCheckLine OpenFiles(ulong? soft, string whose)
    {
        const string subject = "open files";
        var recommended = plan.WebSockets.OpenFileLimit;
        var fix = $"set LimitNOFILE={recommended} in the systemd unit (or ulimit -n {recommended} before starting the hub)";
        if (soft is not { } limit)
        {
            return new(CheckVerdict.Warn, subject, $"the open-file limit of {whose} could not be read", fix);
        }

        var needed = (plan.WebSockets.ExpectedConnections * 2) + config.DbPoolSize + 64;
        if (limit < (ulong)needed)
        {
            return new(CheckVerdict.Fail, subject,
                $"soft limit {limit} of {whose} is below the {needed} descriptors "
                    + $"~{plan.WebSockets.ExpectedConnections} WebSocket connections need",
                fix);
        }

        return limit < (ulong)recommended
            ? new(CheckVerdict.Warn, subject,
                $"soft limit {limit} of {whose} is below the {recommended} recommended for up to {plan.TierMaxUsers} users", fix)
            : new(CheckVerdict.Pass, subject,
                $"soft limit {limit} of {whose} >= {recommended} recommended for up to {plan.TierMaxUsers} users");
    }

    private async Task<IReadOnlyList<CapacityCheckLine>> PostgresAsync(CancellationToken cancellationToken)
    {
        const string settingsSql = """
            SELECT name, setting,
                CASE WHEN vartype IN ('integer', 'real')
                    THEN setting::numeric * CASE unit WHEN '8kB' THEN 8192 WHEN 'kB' THEN 1024 WHEN 'MB' THEN 1048576 ELSE 1 END
                END
            FROM pg_settings
            WHERE name IN ('max_connections', 'superuser_reserved_connections', 'shared_buffers', 'work_mem', 'autovacuum',
                'shared_preload_libraries')
            """;
        const string extensionSql = """
            SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements')
            """;
        var text = new Dictionary<string, string>();
        var numbers = new Dictionary<string, decimal>();
        bool available;
        try
        {
            // A slim data source like the hub's: a bare NpgsqlConnection would bring every type handler into the binary.
            var builder = new NpgsqlSlimDataSourceBuilder(ConnectionStrings.ToNpgsql(config.DatabaseUrl, 1));
            builder.ConnectionStringBuilder.Pooling = false;
            builder.ConnectionStringBuilder.Timeout = 5;
            builder.EnableTransportSecurity();
            await using var source = builder.Build();
            await using var connection = await source.OpenConnectionAsync(cancellationToken);
            await using (var command = new NpgsqlCommand(settingsSql, connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    text[reader.GetString(0)] = reader.GetString(1);
                    if (!reader.IsDBNull(2))
                    {
                        numbers[reader.GetString(0)] = reader.GetDecimal(2);
                    }
                }
            }

            await using var extension = new NpgsqlCommand(extensionSql, connection);
            available = (bool)(await extension.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Exception e) when (DbErrors.IsUnavailable(e) || e is NpgsqlException or TimeoutException)
        {
            return [new(CheckVerdict.Fail, "postgresql",
                $"cannot read the server's settings with DATABASE_URL: {e.Message.ReplaceLineEndings(" ")}",
                "start PostgreSQL or correct DATABASE_URL")];
        }

        return PostgresLines(text, numbers, available);
    }

    /// <summary>
    /// The PostgreSQL lines from the server's settings (<c>pg_settings</c>: text values, and numbers in bytes where
    /// they have a unit) and whether the pg_stat_statements extension is installed.
    /// </summary>
    internal IReadOnlyList<CapacityCheckLine> PostgresLines(
        IReadOnlyDictionary<string, string> text, IReadOnlyDictionary<string, decimal> numbers, bool available)
    {
        var tierPg = plan.Postgres;
        var lines = new List<CapacityCheckLine>();
        var max = (int)numbers["max_connections"];
        var reserved = (int)numbers.GetValueOrDefault("superuser_reserved_connections");
        var pool = config.DbPoolSize;
        lines.Add(max - reserved < pool
            ? new(CheckVerdict.Fail, "max_connections",
                $"{max} ({max - reserved} after {reserved} reserved for superusers) is below the hub's pool DB_POOL_SIZE={pool}",
                $"set max_connections = {Math.Max(tierPg.MaxConnections, pool + reserved + 5)} in postgresql.conf and restart PostgreSQL, "
                + "or lower DB_POOL_SIZE")
            : max < tierPg.MaxConnections
                ? new(CheckVerdict.Warn, "max_connections",
                    $"{max} is below the {tierPg.MaxConnections} recommended for up to {plan.TierMaxUsers} users",
                    $"set max_connections = {tierPg.MaxConnections} in postgresql.conf and restart PostgreSQL")
                : new(CheckVerdict.Pass, "max_connections", $"{max} leaves room for the hub's pool of {pool}"));
        lines.Add(Memory("shared_buffers", numbers["shared_buffers"], tierPg.SharedBuffersMb, "and restart PostgreSQL"));
        lines.Add(Memory("work_mem", numbers["work_mem"], tierPg.WorkMemMb, "and reload PostgreSQL"));

        var preloaded = text.GetValueOrDefault("shared_preload_libraries", "").Split(',').Any(l => l.Trim() == "pg_stat_statements");
        lines.Add(preloaded
            ? new(CheckVerdict.Pass, "pg_stat_statements", "loaded (shared_preload_libraries)")
            : available
                ? new(CheckVerdict.Warn, "pg_stat_statements", "installed but not loaded, so slow queries go unrecorded",
                    "add pg_stat_statements to shared_preload_libraries, restart PostgreSQL, then CREATE EXTENSION pg_stat_statements")
                : new(CheckVerdict.Warn, "pg_stat_statements", "not available on the server",
                    "install the PostgreSQL contrib package (postgresql-contrib), then preload it in shared_preload_libraries"));
        lines.Add(text.GetValueOrDefault("autovacuum") == "on"
            ? new(CheckVerdict.Pass, "autovacuum", "on")
            : new(CheckVerdict.Fail, "autovacuum", "off: dead rows of the message tables are never reclaimed",
                "set autovacuum = on in postgresql.conf and reload PostgreSQL"));
        return lines;
    }

    private CapacityCheckLine Memory(string name, decimal bytes, int recommendedMb, string apply)
    {
        var mb = bytes / Mb;
        return mb < recommendedMb
            ? new(CheckVerdict.Warn, name, $"{mb:0.#}MB is below the {recommendedMb}MB recommended for up to {plan.TierMaxUsers} users",
                $"set {name} = {recommendedMb}MB in postgresql.conf {apply}")
            : new(CheckVerdict.Pass, name, $"{mb:0.#}MB >= {recommendedMb}MB recommended for up to {plan.TierMaxUsers} users");
    }

    private async Task<CapacityCheckLine> RedisAsync(string redisUrl)
    {
        const string subject = "redis";
        try
        {
            var options = Redis.RedisUrl.Parse(redisUrl);
            options.ConnectTimeout = 2000;
            options.SyncTimeout = 2000;
            options.AsyncTimeout = 2000;
            options.ConnectRetry = 0;
            options.AbortOnConnectFail = true;
            // INFO counts as an admin command to StackExchange.Redis; only INFO memory is sent.
            options.AllowAdmin = true;
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            var latency = await redis.GetDatabase().PingAsync();
            var server = redis.GetServer(redis.GetEndPoints()[0]);
            var memory = (await server.InfoAsync("memory")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
            var used = long.Parse(memory.GetValueOrDefault("used_memory", "0"), CultureInfo.InvariantCulture);
            var max = long.Parse(memory.GetValueOrDefault("maxmemory", "0"), CultureInfo.InvariantCulture);
            var wanted = plan.Redis.InstanceMb * Mb;
            var found = $"PING {latency.TotalMilliseconds:0.#} ms, {used / (double)Mb:0.#}MB used, "
                + $"maxmemory {(max == 0 ? "unlimited" : $"{max / Mb}MB")}";
            return max != 0 && max < wanted
                ? new(CheckVerdict.Warn, subject, $"{found}, below the {plan.Redis.InstanceMb}MB recommended",
                    $"set maxmemory {plan.Redis.InstanceMb}mb in redis.conf")
                : new(CheckVerdict.Pass, subject, found);
        }
        catch (Exception e) when (e is RedisException or RedisCommandException or TimeoutException or ArgumentException or FormatException)
        {
            return new(CheckVerdict.Fail, subject, $"REDIS_URL does not answer PING: {e.Message.ReplaceLineEndings(" ")}",
                "start Redis or correct REDIS_URL (the hub runs without Redis, but not across several nodes)");
        }
    }

    private IEnumerable<CapacityCheckLine> Uploads()
    {
        const string subject = "UPLOAD_DIR space";
        var path = Path.GetFullPath(config.UploadDir);
        if (!Directory.Exists(path))
        {
            yield return new(CheckVerdict.Fail, subject, $"{path} does not exist",
                $"create it, owned by the hub's user (agentim with the .deb): install -d -m 0750 -o agentim -g agentim {path}");
            yield break;
        }

        var mount = MountPointOf(path);
        var free = new DriveInfo(mount).AvailableFreeSpace;
        // A month of heavy (document) uploads is up to 20 GB (seed).
        yield return free < Gb
            ? new(CheckVerdict.Fail, subject, $"{free / Mb}MB free on {mount}", "free space or move UPLOAD_DIR to a larger volume")
            : free < 20 * Gb
                ? new(CheckVerdict.Warn, subject, $"{free / Gb}GB free on {mount}, less than a month of heavy uploads (5-20 GB)",
                    "grow the volume or lower MAX_FILE_SIZE")
                : new(CheckVerdict.Pass, subject, $"{free / Gb}GB free on {mount}");
        yield return mount == "/"
            ? new(CheckVerdict.Warn, "UPLOAD_DIR volume", $"{path} is on the root filesystem, so uploads can fill the system disk",
                "mount a separate volume at UPLOAD_DIR")
            : new(CheckVerdict.Pass, "UPLOAD_DIR volume", $"{path} is on its own filesystem ({mount})");
    }

    /// <summary>
    /// The mount point holding <paramref name="path"/>: the longest mount point in /proc/self/mountinfo that contains it.
    /// </summary>
    private static string MountPointOf(string path)
    {
        var real = new DirectoryInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        var best = "/";
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length < 5)
            {
                continue;
            }

            var mount = Unescape(fields[4]);
            var inside = mount == "/" || real == mount || real.StartsWith(mount.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (inside && mount.Length > best.Length)
            {
                best = mount;
            }
        }

        return best;
    }

    // mountinfo writes space, tab, newline and backslash as \ooo octal escapes.
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
