using System.Globalization;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Http;
using static AgentIM.Settings.SettingKeys;

namespace AgentIM.Settings;

/// <summary>Where a resolved value came from; the wire names are stable (rest-api.md #80).</summary>
public enum SettingSource
{
    Db,
    Env,
    Default,
}

/// <summary>A setting's effective plain-text value and its source.</summary>
public readonly record struct ResolvedSetting(string Value, SettingSource Source);

/// <summary>
/// The settings as they were at one moment, with typed accessors for every key. Values read from the table were
/// checked when they were written; a value that still fails to parse (edited by hand) falls back to the default.
/// </summary>
public sealed class SettingsSnapshot(SettingCatalog catalog, IReadOnlyDictionary<string, ResolvedSetting> values)
{
    public ResolvedSetting Resolve(string key) => values[key];

    public string GetString(string key) => values[key].Value;

    public long GetNumber(string key) =>
        long.TryParse(values[key].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : long.Parse(catalog[key].Default, CultureInfo.InvariantCulture);

    public int GetInt(string key) => (int)Math.Clamp(GetNumber(key), int.MinValue, int.MaxValue);

    public bool GetBool(string key) => values[key].Value.Equals("true", StringComparison.OrdinalIgnoreCase);

    public TimeSpan GetDuration(string key) =>
        DurationText.TryParse(values[key].Value, out var value) ? value : DurationText.TryParse(catalog[key].Default, out var fallback)
            ? fallback
            : TimeSpan.Zero;

    public IReadOnlyList<string> CorsOrigins =>
        GetString(CorsOrigin).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string LogLevel => GetString(SettingKeys.LogLevel);
    public bool MetricsAuth => GetBool(MetricsAuthEnabled);
    public TimeSpan AccessTokenLifetime => GetDuration(JwtAccessExpiry);
    public TimeSpan RefreshTokenLifetime => GetDuration(JwtRefreshExpiry);
    public bool TrustProxyHeader => GetBool(TrustProxy);
    public string GitHubClientId => GetString(OAuthGitHubClientId);
    public string GitHubClientSecret => GetString(OAuthGitHubClientSecret);
    public string GoogleClientId => GetString(OAuthGoogleClientId);
    public string GoogleClientSecret => GetString(OAuthGoogleClientSecret);
    public string TotpIssuerName => GetString(TotpIssuer);
    public long MaxFileSize => GetNumber(UploadMaxFileSize);
    public string Storage => GetString(StorageProvider);
    public string S3BucketName => GetString(S3Bucket);
    public string S3RegionName => GetString(S3Region);
    public string S3EndpointUrl => GetString(S3Endpoint);
    public string S3AccessKey => GetString(S3AccessKeyId);
    public string S3SecretKey => GetString(S3SecretAccessKey);
    public TimeSpan ClientMessageWindow => TimeSpan.FromSeconds(GetNumber(ClientRateLimitWindow));
    public int ClientMessageMax => GetInt(ClientRateLimitMax);
    public TimeSpan AgentMessageWindow => TimeSpan.FromSeconds(GetNumber(AgentRateLimitWindow));
    public int AgentMessageMax => GetInt(AgentRateLimitMax);
    public int MaxConnectionsPerUser => GetInt(WsMaxConnectionsPerUser);
    public int MaxTotalConnections => GetInt(WsMaxTotalConnections);
    public int MaxGatewaysPerUser => GetInt(WsMaxGatewaysPerUser);
    public int ClientFrameLimitBytes => GetInt(WsMaxMessageSize);
    public int GatewayFrameLimitBytes => GetInt(WsGatewayMessageSize);
    public string SystemRouterBaseUrl => GetString(RouterLlmBaseUrl);
    public string SystemRouterApiKey => GetString(RouterLlmApiKey);
    public string SystemRouterModel => GetString(RouterLlmModel) is { Length: > 0 } model ? model : "gpt-4o-mini";
    public TimeSpan SystemRouterTimeout => TimeSpan.FromMilliseconds(GetNumber(RouterLlmTimeout));
    public int MaxChainDepth => GetInt(RouterMaxChainDepth);
    public string VapidPublicKey => GetString(PushVapidPublicKey);
    public string VapidPrivateKey => GetString(PushVapidPrivateKey);
    public string VapidSubject => GetString(PushVapidSubject);
    public TimeSpan OrphanFileInterval => TimeSpan.FromMilliseconds(GetNumber(CleanupOrphanFileInterval));
    public TimeSpan TokenCleanupInterval => TimeSpan.FromMilliseconds(GetNumber(CleanupTokenInterval));
    public int AuditRetentionDays => GetInt(CleanupAuditRetentionDays);
    public TimeSpan AuditCleanupInterval => TimeSpan.FromMilliseconds(GetNumber(CleanupAuditInterval));
    public TimeSpan GatewayCleanupInterval => TimeSpan.FromMilliseconds(GetNumber(CleanupGatewayInterval));
    public int GatewayMaxOfflineDays => GetInt(CleanupGatewayMaxOfflineDays);
    public string SentryDsnValue => GetString(SentryDsn);
    public bool HttpRateLimits => GetBool(HttpRateLimitsEnabled);

    /// <summary>The maximum requests per window of an HTTP limiter.</summary>
    public int HttpLimit(RateLimitBucket bucket) => GetInt(HttpLimitMax(bucket.SettingName));
}
