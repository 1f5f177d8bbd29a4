using Npgsql;

namespace AgentIM.Tests.Support;

/// <summary>
/// Where the real servers are. The tests never start stand-ins: `scripts/services.sh start` (or `make test`)
/// starts a private PostgreSQL and Redis and writes their URLs; a missing one fails the test with that advice.
/// </summary>
public static class TestEnvironment
{
    private const string Advice = "Start the private servers first: `scripts/services.sh start` and "
        + "`source /tmp/agentim-dev/services.env`, or run `make test`.";

    public static string DatabaseUrl => Require("DATABASE_URL");

    /// <summary>A superuser URL, for drills that restart or inspect the server.</summary>
    public static string AdminDatabaseUrl => Environment.GetEnvironmentVariable("AGENTIM_PG_ADMIN_URL") ?? DatabaseUrl;

    public static string? PublishedBinary => Environment.GetEnvironmentVariable("AGENTIM_BINARY");

    public static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set. {Advice}");

    /// <summary>Creates an empty database of its own for one test class; returns its URL.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        var builder = new NpgsqlConnectionStringBuilder(Infrastructure.Db.ConnectionStrings.ToNpgsql(DatabaseUrl, 2));
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var uri = new Uri(DatabaseUrl);
        return new UriBuilder(uri) { Path = "/" + name }.Uri.ToString();
    }

    /// <summary>
    /// Drops a test database. Best effort: a cleanup that fails (a backend still attached, no right to end it) leaves
    /// a stray database behind but must never turn a passing run red.
    /// </summary>
    public static async Task DropDatabaseAsync(string databaseUrl)
    {
        var name = new Uri(databaseUrl).AbsolutePath.Trim('/');
        NpgsqlConnection.ClearAllPools();
        try
        {
            // The superuser may end whatever backend is still attached (FORCE); the owner may not always.
            await using var connection = new NpgsqlConnection(Infrastructure.Db.ConnectionStrings.ToNpgsql(AdminDatabaseUrl, 2));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            Console.Error.WriteLine($"test cleanup: could not drop database {name}: {e.Message}");
        }
    }
}
