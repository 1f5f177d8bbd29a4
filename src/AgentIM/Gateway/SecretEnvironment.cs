using System.Collections;

namespace AgentIM.Gateway;

/// <summary>
/// The environment a spawned agent gets: the gateway's own minus anything secret (gateway-cli.md §7), unless the
/// user lets a name through with <c>--pass-env</c>; the hub's own secrets never pass, whatever the list says.
/// </summary>
public static class SecretEnvironment
{
    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "DATABASE_URL", "REDIS_URL", "JWT_SECRET", "ADMIN_PASSWORD", "ADMIN_USERNAME", "AGENTIM_PASSWORD", "AGENTIM_TOKEN",
        "ENCRYPTION_KEY", "SENTRY_DSN", "SESSION_SECRET", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN",
        "GEMINI_API_KEY", "GOOGLE_API_KEY", "CODEX_API_KEY", "GITHUB_TOKEN", "GH_TOKEN", "NPM_TOKEN", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AZURE_CLIENT_SECRET", "SLACK_TOKEN", "DOCKER_PASSWORD", "PGPASSWORD",
        "AGENTIM_PG_ADMIN_URL",
    };

    private static readonly HashSet<string> NeverPassed = new(StringComparer.OrdinalIgnoreCase)
    {
        "JWT_SECRET", "DATABASE_URL", "REDIS_URL", "ADMIN_PASSWORD", "ENCRYPTION_KEY", "SENTRY_DSN", "SESSION_SECRET",
        "AGENTIM_PASSWORD", "AGENTIM_TOKEN",
    };

    private static readonly string[] SecretPrefixes = ["ROUTER_LLM_", "SECRET_", "API_KEY_", "TOKEN_", "DATABASE_", "REDIS_", "PG"];

    private static readonly string[] SecretParts =
        ["SECRET", "PASSWORD", "PASSWD", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL"];

    /// <summary>True when a variable of this name must not reach a spawned agent.</summary>
    public static bool IsSecret(string name) =>
        SecretNames.Contains(name)
        || SecretPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase))
        || SecretParts.Any(p => name.Contains(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>The filtered copy of <paramref name="source"/> (the process environment when null).</summary>
    public static Dictionary<string, string> Filter(IReadOnlyCollection<string> passEnv, IDictionary? source = null)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in source ?? Environment.GetEnvironmentVariables())
        {
            if (entry.Key is not string name || entry.Value is not string value)
            {
                continue;
            }

            var allowed = !IsSecret(name) || (passEnv.Contains(name, StringComparer.OrdinalIgnoreCase) && !NeverPassed.Contains(name));
            if (allowed)
            {
                result[name] = value;
            }
        }

        return result;
    }

    /// <summary>Values of secret variables in the gateway's environment, to be masked wherever they appear in output.</summary>
    public static IReadOnlyList<string> SecretValues()
    {
        var values = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string { Length: >= 8 } value && IsSecret(name))
            {
                values.Add(value);
            }
        }

        return values;
    }
}
