namespace AgentIM.Settings;

/// <summary>
/// Setting keys. The first 42 are the contract's (behaviour.md §14.2) and stable; the <c>rateLimit.http.*</c> keys
/// are ours: the HTTP limits of behaviour.md §7, adjustable at run time (tests raise or switch them on this way).
/// </summary>
public static class SettingKeys
{
    public const string CorsOrigin = "cors.origin";
    public const string LogLevel = "log.level";
    public const string MetricsAuthEnabled = "metrics.authEnabled";
    public const string JwtAccessExpiry = "jwt.accessExpiry";
    public const string JwtRefreshExpiry = "jwt.refreshExpiry";
    public const string TrustProxy = "trust.proxy";
    public const string OAuthGitHubClientId = "oauth.github.clientId";
    public const string OAuthGitHubClientSecret = "oauth.github.clientSecret";
    public const string OAuthGoogleClientId = "oauth.google.clientId";
    public const string OAuthGoogleClientSecret = "oauth.google.clientSecret";
    public const string TotpIssuer = "totp.issuer";
    public const string UploadMaxFileSize = "upload.maxFileSize";
    public const string StorageProvider = "storage.provider";
    public const string S3Bucket = "storage.s3.bucket";
    public const string S3Region = "storage.s3.region";
    public const string S3Endpoint = "storage.s3.endpoint";
    public const string S3AccessKeyId = "storage.s3.accessKeyId";
    public const string S3SecretAccessKey = "storage.s3.secretAccessKey";
    public const string ClientRateLimitWindow = "rateLimit.client.window";
    public const string ClientRateLimitMax = "rateLimit.client.max";
    public const string AgentRateLimitWindow = "rateLimit.agent.window";
    public const string AgentRateLimitMax = "rateLimit.agent.max";
    public const string WsMaxConnectionsPerUser = "ws.maxConnectionsPerUser";
    public const string WsMaxTotalConnections = "ws.maxTotalConnections";
    public const string WsMaxGatewaysPerUser = "ws.maxGatewaysPerUser";
    public const string WsMaxMessageSize = "ws.maxMessageSize";
    public const string WsGatewayMessageSize = "ws.gatewayMessageSize";
    public const string RouterLlmBaseUrl = "router.llm.baseUrl";
    public const string RouterLlmApiKey = "router.llm.apiKey";
    public const string RouterLlmModel = "router.llm.model";
    public const string RouterLlmTimeout = "router.llm.timeout";
    public const string RouterMaxChainDepth = "router.maxChainDepth";
    public const string PushVapidPublicKey = "push.vapidPublicKey";
    public const string PushVapidPrivateKey = "push.vapidPrivateKey";
    public const string PushVapidSubject = "push.vapidSubject";
    public const string CleanupOrphanFileInterval = "cleanup.orphanFileInterval";
    public const string CleanupTokenInterval = "cleanup.tokenInterval";
    public const string CleanupAuditRetentionDays = "cleanup.auditRetentionDays";
    public const string CleanupAuditInterval = "cleanup.auditInterval";
    public const string CleanupGatewayInterval = "cleanup.gatewayInterval";
    public const string CleanupGatewayMaxOfflineDays = "cleanup.gatewayMaxOfflineDays";
    public const string SentryDsn = "sentry.dsn";

    public const string HttpRateLimitsEnabled = "rateLimit.http.enabled";

    /// <summary>The per-bucket maximum of an HTTP limiter, e.g. <c>rateLimit.http.auth.max</c>.</summary>
    public static string HttpLimitMax(string bucketSetting) => $"rateLimit.http.{bucketSetting}.max";
}
