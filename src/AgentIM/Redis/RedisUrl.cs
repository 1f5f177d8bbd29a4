using System.Globalization;
using StackExchange.Redis;

namespace AgentIM.Redis;

/// <summary>
/// REDIS_URL as <c>redis://[user:password@]host:port[/db]</c> (<c>rediss://</c> for TLS) or StackExchange.Redis's own form.
/// </summary>
public static class RedisUrl
{
    public static ConfigurationOptions Parse(string url)
    {
        if (!url.StartsWith("redis://", StringComparison.OrdinalIgnoreCase)
            && !url.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            return ConfigurationOptions.Parse(url);
        }

        var uri = new Uri(url);
        var options = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
        options.EndPoints.Add(uri.Host, uri.Port > 0 ? uri.Port : 6379);
        if (uri.UserInfo.Split(':', 2) is [var user, var password])
        {
            options.User = user.Length > 0 ? Uri.UnescapeDataString(user) : null;
            options.Password = Uri.UnescapeDataString(password);
        }

        if (uri.AbsolutePath.Trim('/') is { Length: > 0 } db && int.TryParse(db, CultureInfo.InvariantCulture, out var number))
        {
            options.DefaultDatabase = number;
        }

        return options;
    }
}
