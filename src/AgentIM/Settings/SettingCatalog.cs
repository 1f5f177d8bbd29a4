using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Http;
using static AgentIM.Settings.SettingKeys;

namespace AgentIM.Settings;

/// <summary>
/// Every runtime setting in admin-UI order: the contract's 42 (behaviour.md §14.2) with our defaults where
/// decisions.md changed them (frame sizes), then the HTTP rate limits. Defaults that differ by environment
/// (CORS origin, metrics auth, HTTP limits) are fixed here from <see cref="HubConfig.IsProduction"/>.
/// </summary>
public sealed class SettingCatalog
{
    public static readonly IReadOnlyList<string> Groups =
        ["general", "security", "storage", "rateLimit", "connections", "aiRouter", "pushNotifications", "maintenance"];

    private readonly Dictionary<string, SettingDefinition> _byKey;

    public SettingCatalog(HubConfig config)
    {
        var production = config.IsProduction;
        All = Build(production);
        _byKey = All.ToDictionary(d => d.Key, StringComparer.Ordinal);
    }

    public IReadOnlyList<SettingDefinition> All { get; }

    public bool TryGet(string key, out SettingDefinition definition) => _byKey.TryGetValue(key, out definition!);

    public SettingDefinition this[string key] => _byKey[key];

    private static List<SettingDefinition> Build(bool production)
    {
        const long MinInterval = 60_000;
        const long MaxInterval = 86_400_000;
        var list = new List<SettingDefinition>
        {
            new(CorsOrigin, "general", SettingType.String, production ? "" : "http://localhost:5173", "CORS_ORIGIN"),
            new(SettingKeys.LogLevel, "general", SettingType.Enum, "info", "LOG_LEVEL",
                EnumValues: ["debug", "info", "warn", "error", "fatal"]),
            new(MetricsAuthEnabled, "general", SettingType.Boolean, production ? "true" : "false", "METRICS_AUTH_ENABLED"),

            new(JwtAccessExpiry, "security", SettingType.String, "15m", "JWT_ACCESS_EXPIRY"),
            new(JwtRefreshExpiry, "security", SettingType.String, "7d", "JWT_REFRESH_EXPIRY"),
            new(TrustProxy, "security", SettingType.Boolean, "false", "TRUST_PROXY"),
            new(OAuthGitHubClientId, "security", SettingType.String, "", "OAUTH_GITHUB_CLIENT_ID"),
            new(OAuthGitHubClientSecret, "security", SettingType.String, "", "OAUTH_GITHUB_CLIENT_SECRET", Sensitive: true),
            new(OAuthGoogleClientId, "security", SettingType.String, "", "OAUTH_GOOGLE_CLIENT_ID"),
            new(OAuthGoogleClientSecret, "security", SettingType.String, "", "OAUTH_GOOGLE_CLIENT_SECRET", Sensitive: true),
            new(TotpIssuer, "security", SettingType.String, "AgentIM", "TOTP_ISSUER"),

            new(UploadMaxFileSize, "storage", SettingType.Number, "10485760", "MAX_FILE_SIZE", Min: 1024, Max: 104_857_600),
            new(StorageProvider, "storage", SettingType.Enum, "local", "STORAGE_PROVIDER", EnumValues: ["local", "s3"]),
            new(S3Bucket, "storage", SettingType.String, "", "S3_BUCKET"),
            new(S3Region, "storage", SettingType.String, "auto", "S3_REGION"),
            new(S3Endpoint, "storage", SettingType.String, "", "S3_ENDPOINT"),
            new(S3AccessKeyId, "storage", SettingType.String, "", "S3_ACCESS_KEY_ID", Sensitive: true),
            new(S3SecretAccessKey, "storage", SettingType.String, "", "S3_SECRET_ACCESS_KEY", Sensitive: true),

            new(ClientRateLimitWindow, "rateLimit", SettingType.Number, "10", "CLIENT_RATE_LIMIT_WINDOW", Min: 1, Max: 300),
            new(ClientRateLimitMax, "rateLimit", SettingType.Number, "30", "CLIENT_RATE_LIMIT_MAX", Min: 1, Max: 1000),
            new(AgentRateLimitWindow, "rateLimit", SettingType.Number, "60", "AGENT_RATE_LIMIT_WINDOW", Min: 1, Max: 3600),
            new(AgentRateLimitMax, "rateLimit", SettingType.Number, "20", "AGENT_RATE_LIMIT_MAX", Min: 1, Max: 1000),

            new(WsMaxConnectionsPerUser, "connections", SettingType.Number, "10", "MAX_WS_CONNECTIONS_PER_USER", Min: 1, Max: 100),
            new(WsMaxTotalConnections, "connections", SettingType.Number, "5000", "MAX_TOTAL_WS_CONNECTIONS", Min: 10, Max: 100_000),
            new(WsMaxGatewaysPerUser, "connections", SettingType.Number, "20", "MAX_GATEWAYS_PER_USER", Min: 1, Max: 100),
            // decisions.md: client frames up to 512 KiB and gateway frames up to 2 MiB by default (upstream: 64 KiB).
            new(WsMaxMessageSize, "connections", SettingType.Number, "524288", "MAX_WS_MESSAGE_SIZE", Min: 1024, Max: 1_048_576),
            new(WsGatewayMessageSize, "connections", SettingType.Number, "2097152", "MAX_GATEWAY_MESSAGE_SIZE", Min: 1024, Max: 10_485_760),

            new(RouterLlmBaseUrl, "aiRouter", SettingType.String, "", "ROUTER_LLM_BASE_URL"),
            new(RouterLlmApiKey, "aiRouter", SettingType.String, "", "ROUTER_LLM_API_KEY", Sensitive: true),
            new(RouterLlmModel, "aiRouter", SettingType.String, "", "ROUTER_LLM_MODEL"),
            new(RouterLlmTimeout, "aiRouter", SettingType.Number, "15000", "ROUTER_LLM_TIMEOUT_MS", Min: 1000, Max: 120_000),
            new(RouterMaxChainDepth, "aiRouter", SettingType.Number, "5", "MAX_AGENT_CHAIN_DEPTH", Min: 1, Max: 100),

            new(PushVapidPublicKey, "pushNotifications", SettingType.String, "", null),
            new(PushVapidPrivateKey, "pushNotifications", SettingType.String, "", null, Sensitive: true),
            new(PushVapidSubject, "pushNotifications", SettingType.String, "mailto:noreply@agentim.app", null),

            new(CleanupOrphanFileInterval, "maintenance", SettingType.Number, "3600000", "ORPHAN_FILE_CHECK_INTERVAL",
                Min: MinInterval, Max: MaxInterval),
            new(CleanupTokenInterval, "maintenance", SettingType.Number, "3600000", "TOKEN_CLEANUP_INTERVAL",
                Min: MinInterval, Max: MaxInterval),
            new(CleanupAuditRetentionDays, "maintenance", SettingType.Number, "90", "AUDIT_LOG_RETENTION_DAYS", Min: 1, Max: 3650),
            new(CleanupAuditInterval, "maintenance", SettingType.Number, "86400000", "AUDIT_LOG_CLEANUP_INTERVAL",
                Min: MinInterval, Max: MaxInterval),
            new(CleanupGatewayInterval, "maintenance", SettingType.Number, "86400000", "GATEWAY_CLEANUP_INTERVAL",
                Min: MinInterval, Max: MaxInterval),
            new(CleanupGatewayMaxOfflineDays, "maintenance", SettingType.Number, "30", "GATEWAY_MAX_OFFLINE_DAYS", Min: 1, Max: 365),
            new(SentryDsn, "maintenance", SettingType.String, "", "SENTRY_DSN"),

            // Ours: on by default in production only, like upstream which switches them off under NODE_ENV=test.
            new(HttpRateLimitsEnabled, "rateLimit", SettingType.Boolean, production ? "true" : "false", "RATE_LIMITS_ENABLED"),
        };

        foreach (var bucket in RateLimitBuckets.All)
        {
            var env = $"RATE_LIMIT_{bucket.Name.ToUpperInvariant().Replace('-', '_')}_MAX";
            list.Add(new(HttpLimitMax(bucket.SettingName), "rateLimit", SettingType.Number,
                bucket.DefaultMax.ToString(System.Globalization.CultureInfo.InvariantCulture), env, Min: 1, Max: 1_000_000));
        }

        return list;
    }
}
