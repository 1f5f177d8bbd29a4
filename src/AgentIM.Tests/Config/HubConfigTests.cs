using AgentIM.Infrastructure.Config;

namespace AgentIM.Tests.Config;

/// <summary>HubConfig.FromEnvironment: production refuses guessable secrets, and every bad value names its variable.</summary>
public sealed class HubConfigTests
{
    private const string StrongSecret = "0123456789abcdef0123456789abcdef-strong";

    [Fact]
    public void FromEnvironment_ProductionWithoutJwtSecret_ThrowsNamingJwtSecret()
    {
        var env = Production();
        env.Remove("JWT_SECRET");

        var error = Assert.Throws<ConfigException>(() => HubConfig.FromEnvironment(env));

        Assert.Equal("JWT_SECRET", error.Variable);
        Assert.Contains("JWT_SECRET", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData(HubConfig.DefaultJwtSecret)]
    [InlineData("   ")]
    public void FromEnvironment_ProductionWithWeakJwtSecret_ThrowsNamingJwtSecret(string secret)
    {
        var env = Production();
        env["JWT_SECRET"] = secret;

        var error = Assert.Throws<ConfigException>(() => HubConfig.FromEnvironment(env));

        Assert.Equal("JWT_SECRET", error.Variable);
    }

    [Fact]
    public void FromEnvironment_AgentimEnvUnset_MeansProduction()
    {
        var env = Production();
        env.Remove("AGENTIM_ENV");
        env.Remove("JWT_SECRET");

        Assert.Equal("JWT_SECRET", Assert.Throws<ConfigException>(() => HubConfig.FromEnvironment(env)).Variable);
    }

    [Fact]
    public void FromEnvironment_ProductionWithStrongSecrets_Succeeds()
    {
        var config = HubConfig.FromEnvironment(Production());

        Assert.True(config.IsProduction);
        Assert.Equal(StrongSecret, config.JwtSecret);
        Assert.True(config.MetricsAuthEnabled);
        Assert.Equal(10, config.DbPoolSize);
        Assert.Equal(3000, config.Port);
        Assert.Equal(TimeSpan.FromMinutes(15), config.AccessTokenLifetime);
        Assert.Equal(TimeSpan.FromDays(7), config.RefreshTokenLifetime);
    }

    [Fact]
    public void FromEnvironment_DevelopmentWithoutSecrets_UsesDevelopmentDefaults()
    {
        var config = HubConfig.FromEnvironment(new Dictionary<string, string> { ["AGENTIM_ENV"] = "development" });

        Assert.False(config.IsProduction);
        Assert.Equal(HubConfig.DefaultJwtSecret, config.JwtSecret);
        Assert.False(config.MetricsAuthEnabled);
    }

    [Fact]
    public void FromEnvironment_ProductionWithoutEncryptionKey_ThrowsNamingEncryptionKey()
    {
        var env = Production();
        env.Remove("ENCRYPTION_KEY");

        Assert.Equal("ENCRYPTION_KEY", Assert.Throws<ConfigException>(() => HubConfig.FromEnvironment(env)).Variable);
    }

    [Theory]
    [InlineData("Short1!")]
    [InlineData("alllowercase-1234")]
    [InlineData("NoSymbolsHere1234")]
    public void FromEnvironment_ProductionWithWeakAdminPassword_ThrowsNamingAdminPassword(string password)
    {
        var env = Production();
        env["ADMIN_PASSWORD"] = password;

        Assert.Equal("ADMIN_PASSWORD", Assert.Throws<ConfigException>(() => HubConfig.FromEnvironment(env)).Variable);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("80.5")]
    public void FromEnvironment_BadPort_ThrowsNamingPort(string port)
    {
        var env = Production();
        env["PORT"] = port;

        var error = Assert.Throws<ConfigException>(() => HubConfig.FromEnvironment(env));

        Assert.Equal("PORT", error.Variable);
        Assert.StartsWith("PORT ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DB_POOL_SIZE", "0")]
    [InlineData("JWT_ACCESS_EXPIRY", "15 minutes")]
    [InlineData("JWT_REFRESH_EXPIRY", "7w")]
    [InlineData("RUN_MIGRATIONS", "maybe")]
    [InlineData("AGENTIM_ENV", "staging")]
    [InlineData("TRUSTED_PROXIES", "10.0.0.0/33")]
    public void FromEnvironment_BadValue_ThrowsNamingVariable(string variable, string value)
    {
        var env = Production();
        env[variable] = value;

        Assert.Equal(variable, Assert.Throws<ConfigException>(() => HubConfig.FromEnvironment(env)).Variable);
    }

    [Fact]
    public void FromEnvironment_ExplicitValues_AreParsed()
    {
        var env = Production();
        env["PORT"] = "8080";
        env["DB_POOL_SIZE"] = "25";
        env["JWT_ACCESS_EXPIRY"] = "30s";
        env["JWT_REFRESH_EXPIRY"] = "12h";

        var config = HubConfig.FromEnvironment(env);

        Assert.Equal(8080, config.Port);
        Assert.Equal(25, config.DbPoolSize);
        Assert.Equal(TimeSpan.FromSeconds(30), config.AccessTokenLifetime);
        Assert.Equal(TimeSpan.FromHours(12), config.RefreshTokenLifetime);
    }

    private static Dictionary<string, string> Production() => new()
    {
        ["AGENTIM_ENV"] = "production",
        ["JWT_SECRET"] = StrongSecret,
        ["ENCRYPTION_KEY"] = "fedcba9876543210fedcba9876543210-key",
        ["ADMIN_PASSWORD"] = "Str0ng-Admin-Pass!",
        ["DATABASE_URL"] = "postgresql://agentim:secret@127.0.0.1:5432/agentim",
    };
}
