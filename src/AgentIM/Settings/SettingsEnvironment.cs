using System.Globalization;
using AgentIM.Infrastructure.Config;

namespace AgentIM.Settings;

/// <summary>
/// The environment layer of a setting (behaviour.md §14.2: DB → env → default), read from the variables the
/// <see cref="HubConfig"/> was built from: the process environment with any <c>--env-file</c> under it, or the
/// dictionary a test hands over, never the test runner's own environment. Variables HubConfig parsed itself are
/// reported as it understood them (a value it fell back to is its default).
/// </summary>
public sealed class SettingsEnvironment(HubConfig config)
{
    /// <summary>The non-empty value of <paramref name="name"/>, or null.</summary>
    public string? Get(string name)
    {
        var value = name switch
        {
            "CORS_ORIGIN" => config.CorsOrigins.Count > 0 ? string.Join(',', config.CorsOrigins) : null,
            "LOG_LEVEL" => config.LogLevel,
            "METRICS_AUTH_ENABLED" => config.MetricsAuthEnabled ? "true" : "false",
            "JWT_ACCESS_EXPIRY" => FormatDuration(config.AccessTokenLifetime),
            "JWT_REFRESH_EXPIRY" => FormatDuration(config.RefreshTokenLifetime),
            "MAX_FILE_SIZE" => Number(config.MaxFileSize),
            "CLIENT_RATE_LIMIT_WINDOW" => Number((long)config.ClientRateLimitWindow.TotalSeconds),
            "CLIENT_RATE_LIMIT_MAX" => Number(config.ClientRateLimitMax),
            "MAX_WS_CONNECTIONS_PER_USER" => Number(config.MaxWsConnectionsPerUser),
            "MAX_TOTAL_WS_CONNECTIONS" => Number(config.MaxTotalWsConnections),
            "MAX_GATEWAYS_PER_USER" => Number(config.MaxGatewaysPerUser),
            "MAX_WS_MESSAGE_SIZE" => Number(config.ClientFrameLimitBytes),
            "MAX_GATEWAY_MESSAGE_SIZE" => Number(config.GatewayFrameLimitBytes),
            "MAX_AGENT_CHAIN_DEPTH" => Number(config.MaxAgentChainDepth),
            _ => config.Environment.TryGetValue(name, out var raw) ? raw : null,
        };
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>Writes a lifetime back in the contract's form, in the largest unit that divides it.</summary>
    public static string FormatDuration(TimeSpan value)
    {
        var seconds = (long)value.TotalSeconds;
        return seconds switch
        {
            > 0 when seconds % 86_400 == 0 => $"{seconds / 86_400}d",
            > 0 when seconds % 3600 == 0 => $"{seconds / 3600}h",
            > 0 when seconds % 60 == 0 => $"{seconds / 60}m",
            _ => $"{seconds}s",
        };
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
