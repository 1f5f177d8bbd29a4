using Npgsql;

namespace AgentIM.Infrastructure.Db;

/// <summary>
/// DATABASE_URL arrives as a postgresql:// URL (the contract's form) or as an Npgsql keyword string.
/// Npgsql takes only the latter, so URLs are converted here (decisions.md).
/// </summary>
public static class ConnectionStrings
{
    public static string ToNpgsql(string databaseUrl, int poolSize)
    {
        var builder = databaseUrl.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || databaseUrl.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                ? FromUrl(databaseUrl)
                : new NpgsqlConnectionStringBuilder(databaseUrl);

        builder.MaxPoolSize = poolSize;
        builder.MinPoolSize = 0;
        // A quick, retriable failure while PostgreSQL is away beats a request hanging for the default 15 s (case B23).
        if (builder.Timeout == 15)
        {
            builder.Timeout = 5;
        }

        builder.ApplicationName ??= "agentim";
        return builder.ConnectionString;
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        var uri = new Uri(url);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };

        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            switch (key.ToLowerInvariant())
            {
                case "sslmode":
                    builder.SslMode = value.ToLowerInvariant() switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new FormatException($"Unknown sslmode '{value}' in DATABASE_URL"),
                    };
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "connect_timeout":
                    builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    // Anything else is passed through as an Npgsql keyword, which rejects what it does not know.
                    builder[key] = value;
                    break;
            }
        }

        return builder;
    }
}
