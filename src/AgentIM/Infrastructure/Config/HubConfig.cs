using System.Globalization;
using System.Net;

namespace AgentIM.Infrastructure.Config;

/// <summary>
/// Everything the hub reads from its environment, parsed once at start-up.
/// Names and defaults follow the contract (behaviour.md §14) plus ours (decisions.md).
/// </summary>
public sealed record HubConfig
{
    public const string DefaultJwtSecret = "dev-secret-change-me";
    public const string DefaultDatabaseUrl = "postgresql://postgres:postgres@localhost:5432/agentim";

    public bool IsProduction { get; init; } = true;
    public string Host { get; init; } = "0.0.0.0";
    public int Port { get; init; } = 3000;
    public string DatabaseUrl { get; init; } = DefaultDatabaseUrl;
    public int DbPoolSize { get; init; } = 10;
    public string? RedisUrl { get; init; }
    public bool RunMigrations { get; init; } = true;
    public string JwtSecret { get; init; } = DefaultJwtSecret;
    public string? JwtSecretPrevious { get; init; }
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshTokenLifetime { get; init; } = TimeSpan.FromDays(7);
    public string AdminUsername { get; init; } = "admin";
    public string? AdminPassword { get; init; }
    public string UploadDir { get; init; } = "./uploads";
    public long MaxFileSize { get; init; } = 10 * 1024 * 1024;
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];
    public string LogLevel { get; init; } = "info";
    public bool MetricsAuthEnabled { get; init; } = true;
    public string? EncryptionKey { get; init; }
    public TrustedProxies TrustedProxies { get; init; } = TrustedProxies.LoopbackOnly;

    // Realtime timings are settings so tests can shorten them (decisions.md, "Long timers").
    public TimeSpan WsAuthTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan WsPingInterval { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan WsIdleTimeout { get; init; } = TimeSpan.FromSeconds(90);
    public int ClientFrameLimitBytes { get; init; } = 512 * 1024;
    public int GatewayFrameLimitBytes { get; init; } = 2 * 1024 * 1024;
    public int ClientRateLimitMax { get; init; } = 30;
    public TimeSpan ClientRateLimitWindow { get; init; } = TimeSpan.FromSeconds(10);
    public int MaxWsConnectionsPerUser { get; init; } = 10;
    public int MaxTotalWsConnections { get; init; } = 5000;
    public int MaxGatewaysPerUser { get; init; } = 20;
    public int MaxAgentChainDepth { get; init; } = 5;
    public int AgentRateLimitMax { get; init; } = 20;
    public TimeSpan AgentRateLimitWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest a permission request waits for an answer (behaviour.md §2); the gateway may ask for less.</summary>
    public TimeSpan PermissionTimeoutCap { get; init; } = TimeSpan.FromMinutes(5);
    public int MaxPendingPermissions { get; init; } = 1000;
    public TimeSpan WorkspaceRequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Uploads never attached to a message are removed after this (behaviour.md §10: 1 h).</summary>
    public TimeSpan OrphanUploadRetention { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Orphan sweep period; null follows the runtime setting cleanup.orphanFileInterval (1 min at least).</summary>
    public TimeSpan? OrphanSweepInterval { get; init; }

    /// <summary>
    /// Every variable the configuration was read from (process environment and <c>--env-file</c> alike), so that
    /// settings this record does not parse (OAUTH_*, S3_*, ROUTER_LLM_*, RATE_LIMITS_ENABLED …) still have their
    /// environment layer (behaviour.md §14.2).
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// Lets the AI router call an LLM on loopback (127.0.0.0/8, ::1), for tests and local development only; other
    /// private ranges stay refused, and production refuses to start with it (ROUTER_ALLOW_LOOPBACK).
    /// </summary>
    public bool AllowLoopbackRouters { get; init; }

    /// <summary>
    /// Reads the configuration; throws <see cref="ConfigException"/> naming the variable at fault. Production's
    /// secret checks apply when the hub will serve; admin commands that only touch the database skip them
    /// (<paramref name="checkSecrets"/> false), since they sign no token and decrypt no key.
    /// </summary>
    public static HubConfig FromEnvironment(IReadOnlyDictionary<string, string> env, bool checkSecrets = true)
    {
        var reader = new EnvReader(env);
        var production = reader.String("AGENTIM_ENV", "production") switch
        {
            "production" => true,
            "development" => false,
            _ => throw new ConfigException("AGENTIM_ENV", "must be 'production' or 'development'"),
        };

        var config = new HubConfig
        {
            Environment = new Dictionary<string, string>(env, StringComparer.Ordinal),
            IsProduction = production,
            Host = reader.String("HOST", "0.0.0.0"),
            Port = reader.Int("PORT", 3000, 1, 65535),
            DatabaseUrl = reader.String("DATABASE_URL", DefaultDatabaseUrl),
            DbPoolSize = reader.Int("DB_POOL_SIZE", 10, 1, 100),
            RedisUrl = reader.OptionalString("REDIS_URL"),
            RunMigrations = reader.Bool("RUN_MIGRATIONS", true),
            JwtSecret = reader.String("JWT_SECRET", DefaultJwtSecret),
            JwtSecretPrevious = reader.OptionalString("JWT_SECRET_PREVIOUS"),
            AccessTokenLifetime = reader.Duration("JWT_ACCESS_EXPIRY", TimeSpan.FromMinutes(15)),
            RefreshTokenLifetime = reader.Duration("JWT_REFRESH_EXPIRY", TimeSpan.FromDays(7)),
            AdminUsername = reader.String("ADMIN_USERNAME", "admin"),
            AdminPassword = reader.OptionalString("ADMIN_PASSWORD"),
            UploadDir = reader.String("UPLOAD_DIR", "./uploads"),
            MaxFileSize = reader.Int("MAX_FILE_SIZE", 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
            CorsOrigins = reader.List("CORS_ORIGIN"),
            LogLevel = reader.String("LOG_LEVEL", production ? "info" : "debug"),
            MetricsAuthEnabled = reader.Bool("METRICS_AUTH_ENABLED", production),
            EncryptionKey = reader.OptionalString("ENCRYPTION_KEY"),
            TrustedProxies = ReadTrustedProxies(reader),
            WsAuthTimeout = TimeSpan.FromMilliseconds(reader.Int("WS_AUTH_TIMEOUT_MS", 5000, 100, 600_000)),
            WsPingInterval = TimeSpan.FromMilliseconds(reader.Int("WS_PING_INTERVAL_MS", 30_000, 100, 3_600_000)),
            WsIdleTimeout = TimeSpan.FromMilliseconds(reader.Int("WS_IDLE_TIMEOUT_MS", 90_000, 200, 7_200_000)),
            ClientFrameLimitBytes = reader.Int("MAX_WS_MESSAGE_SIZE", 512 * 1024, 1024, 16 * 1024 * 1024),
            GatewayFrameLimitBytes = reader.Int("MAX_GATEWAY_MESSAGE_SIZE", 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
            ClientRateLimitMax = reader.Int("CLIENT_RATE_LIMIT_MAX", 30, 1, 1_000_000),
            ClientRateLimitWindow = TimeSpan.FromSeconds(reader.Int("CLIENT_RATE_LIMIT_WINDOW", 10, 1, 300)),
            MaxWsConnectionsPerUser = reader.Int("MAX_WS_CONNECTIONS_PER_USER", 10, 1, 100),
            MaxTotalWsConnections = reader.Int("MAX_TOTAL_WS_CONNECTIONS", 5000, 10, 1_000_000),
            MaxGatewaysPerUser = reader.Int("MAX_GATEWAYS_PER_USER", 20, 1, 100),
            MaxAgentChainDepth = reader.Int("MAX_AGENT_CHAIN_DEPTH", 5, 1, 100),
            AgentRateLimitMax = reader.Int("AGENT_RATE_LIMIT_MAX", 20, 1, 1_000_000),
            AgentRateLimitWindow = TimeSpan.FromSeconds(reader.Int("AGENT_RATE_LIMIT_WINDOW", 60, 1, 3600)),
            PermissionTimeoutCap = TimeSpan.FromMilliseconds(reader.Int("PERMISSION_TIMEOUT_CAP_MS", 300_000, 100, 300_000)),
            MaxPendingPermissions = reader.Int("PERMISSION_MAX_PENDING", 1000, 1, 100_000),
            WorkspaceRequestTimeout = TimeSpan.FromMilliseconds(reader.Int("WORKSPACE_REQUEST_TIMEOUT_MS", 30_000, 100, 600_000)),
            OrphanUploadRetention = TimeSpan.FromMilliseconds(reader.Int("UPLOAD_ORPHAN_RETENTION_MS", 3_600_000, 100, int.MaxValue)),
            OrphanSweepInterval = reader.OptionalString("UPLOAD_SWEEP_INTERVAL_MS") is null
                ? null
                : TimeSpan.FromMilliseconds(reader.Int("UPLOAD_SWEEP_INTERVAL_MS", 0, 100, 86_400_000)),
            AllowLoopbackRouters = reader.Bool("ROUTER_ALLOW_LOOPBACK", false),
        };
        if (checkSecrets)
        {
            config.ValidateForProduction();
        }

        return config;
    }

    /// <summary>Production refuses to start with secrets an attacker could guess.</summary>
    private void ValidateForProduction()
    {
        if (!IsProduction)
        {
            return;
        }

        if (AllowLoopbackRouters)
        {
            throw new ConfigException(
                "ROUTER_ALLOW_LOOPBACK", "is for tests and development only; production never calls loopback routers");
        }

        if (JwtSecret == DefaultJwtSecret || JwtSecret.Length < 32)
        {
            throw new ConfigException("JWT_SECRET", "must be set to a random value of at least 32 characters in production");
        }

        if (string.IsNullOrEmpty(EncryptionKey) || EncryptionKey.Length < 32)
        {
            throw new ConfigException("ENCRYPTION_KEY", "must be set to a random value of at least 32 characters in production");
        }

        if (AdminPassword is { } password && !IsStrongAdminPassword(password))
        {
            throw new ConfigException(
                "ADMIN_PASSWORD",
                "must be at least 12 characters with lower and upper case letters, a digit and a symbol in production");
        }
    }

    private static bool IsStrongAdminPassword(string password) =>
        password.Length >= 12
        && password.Any(char.IsLower)
        && password.Any(char.IsUpper)
        && password.Any(char.IsDigit)
        && password.Any(c => !char.IsLetterOrDigit(c));

    private static TrustedProxies ReadTrustedProxies(EnvReader reader)
    {
        var list = reader.List("TRUSTED_PROXIES");
        if (list is ["none"])
        {
            // Directly exposed on a host shared with others: believe no forwarding header at all.
            return TrustedProxies.Parse([]);
        }

        if (list.Count > 0)
        {
            try
            {
                return TrustedProxies.Parse(list);
            }
            catch (FormatException)
            {
                throw new ConfigException("TRUSTED_PROXIES", "must be a comma-separated list of IP addresses or CIDR ranges");
            }
        }

        // Upstream's boolean TRUST_PROXY is read as "trust loopback", which is already our default.
        return TrustedProxies.LoopbackOnly;
    }

    private sealed class EnvReader(IReadOnlyDictionary<string, string> env)
    {
        public string? OptionalString(string name) =>
            env.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        public string String(string name, string fallback) => OptionalString(name) ?? fallback;

        public IReadOnlyList<string> List(string name) =>
            OptionalString(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

        public int Int(string name, int fallback, int min, int max)
        {
            var raw = OptionalString(name);
            if (raw is null)
            {
                return fallback;
            }

            if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                throw new ConfigException(name, $"must be a whole number from {min} to {max}");
            }

            return value;
        }

        public bool Bool(string name, bool fallback) => OptionalString(name)?.ToLowerInvariant() switch
        {
            null => fallback,
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new ConfigException(name, "must be true or false"),
        };

        public TimeSpan Duration(string name, TimeSpan fallback)
        {
            var raw = OptionalString(name);
            if (raw is null)
            {
                return fallback;
            }

            return DurationText.TryParse(raw, out var value)
                ? value
                : throw new ConfigException(name, "must look like 30s, 15m, 12h or 7d");
        }
    }
}

/// <summary>A configuration value that stops start-up; the message names the variable.</summary>
public sealed class ConfigException(string variable, string problem) : Exception($"{variable} {problem}")
{
    public string Variable { get; } = variable;
}

/// <summary>The contract's lifetime strings: a whole number and one of s, m, h, d.</summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            || n <= 0)
        {
            return false;
        }

        TimeSpan? parsed = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
        value = parsed ?? default;
        return parsed is not null;
    }
}

/// <summary>Peers whose X-Forwarded-For we believe (decisions.md, case B10).</summary>
public sealed class TrustedProxies
{
    public static readonly TrustedProxies LoopbackOnly =
        new([new IPNetwork(IPAddress.Loopback, 8), new IPNetwork(IPAddress.IPv6Loopback, 128)]);

    private readonly IReadOnlyList<IPNetwork> _networks;

    private TrustedProxies(IReadOnlyList<IPNetwork> networks) => _networks = networks;

    public static TrustedProxies Parse(IEnumerable<string> entries) => new(entries.Select(ParseEntry).ToList());

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPNetwork ParseEntry(string entry)
    {
        if (entry.Contains('/'))
        {
            return IPNetwork.Parse(entry);
        }

        var address = IPAddress.Parse(entry);
        return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
    }
}
