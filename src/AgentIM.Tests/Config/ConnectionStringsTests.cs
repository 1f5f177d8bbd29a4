using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Tests.Config;

/// <summary>DATABASE_URL in the contract's postgresql:// form becomes an Npgsql connection string (decisions.md).</summary>
public sealed class ConnectionStringsTests
{
    [Fact]
    public void ToNpgsql_FullUrl_ConvertsEveryPart()
    {
        var result = Parse("postgresql://app_user:s3cret@pg.internal:6543/agentim_prod?sslmode=require", 7);

        Assert.Equal("app_user", result.Username);
        Assert.Equal("s3cret", result.Password);
        Assert.Equal("pg.internal", result.Host);
        Assert.Equal(6543, result.Port);
        Assert.Equal("agentim_prod", result.Database);
        Assert.Equal(SslMode.Require, result.SslMode);
        Assert.Equal(7, result.MaxPoolSize);
    }

    [Fact]
    public void ToNpgsql_EscapedCharactersInUserAndPassword_AreUnescaped()
    {
        var result = Parse("postgresql://ops%40corp:p%40ss%3Aw%2Fo%23rd%25%20%3F%26@127.0.0.1:5432/agentim", 10);

        Assert.Equal("ops@corp", result.Username);
        Assert.Equal("p@ss:w/o#rd% ?&", result.Password);
        Assert.Equal("127.0.0.1", result.Host);
    }

    [Fact]
    public void ToNpgsql_PasswordWithPlusAndEquals_IsKeptLiterally()
    {
        var result = Parse("postgresql://app:a+b=c;d@127.0.0.1/agentim", 10);

        Assert.Equal("a+b=c;d", result.Password);
        Assert.Equal("agentim", result.Database);
    }

    [Fact]
    public void ToNpgsql_NoPort_DefaultsTo5432()
    {
        var result = Parse("postgres://app:pw@pg.internal/agentim", 10);

        Assert.Equal(5432, result.Port);
        Assert.Equal("pg.internal", result.Host);
    }

    [Fact]
    public void ToNpgsql_Ipv6Host_DropsBrackets()
    {
        var result = Parse("postgresql://app:pw@[::1]:5433/agentim", 10);

        Assert.Equal("::1", result.Host);
        Assert.Equal(5433, result.Port);
    }

    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("prefer", SslMode.Prefer)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    [InlineData("VERIFY-CA", SslMode.VerifyCA)]
    public void ToNpgsql_SslMode_MapsToNpgsql(string sslmode, SslMode expected)
    {
        Assert.Equal(expected, Parse($"postgresql://app:pw@127.0.0.1/agentim?sslmode={sslmode}", 10).SslMode);
    }

    [Fact]
    public void ToNpgsql_KeywordString_PassesThroughWithPoolSize()
    {
        var result = Parse("Host=127.0.0.1;Port=5544;Username=app;Password=pw;Database=agentim", 3);

        Assert.Equal("127.0.0.1", result.Host);
        Assert.Equal(5544, result.Port);
        Assert.Equal("pw", result.Password);
        Assert.Equal(3, result.MaxPoolSize);
    }

    [Fact]
    public void ToNpgsql_UnknownSslMode_Throws()
    {
        Assert.ThrowsAny<FormatException>(() => ConnectionStrings.ToNpgsql("postgresql://app:pw@127.0.0.1/agentim?sslmode=sometimes", 10));
    }

    private static NpgsqlConnectionStringBuilder Parse(string url, int poolSize) => new(ConnectionStrings.ToNpgsql(url, poolSize));
}
