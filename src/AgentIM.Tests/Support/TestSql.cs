using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Tests.Support;

/// <summary>
/// Fixture SQL: direct reads and writes on a test class's own database, for states the API cannot produce on demand
/// (an expired lock, a page of messages sharing one timestamp). Never used to stand in for the hub's behaviour.
/// </summary>
public static class TestSql
{
    public static async Task<int> ExecuteAsync(string databaseUrl, string sql, params object[] parameters)
    {
        await using var connection = await OpenAsync(databaseUrl);
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    public static Task<int> ExecuteAsync(HubFixture hub, string sql, params object[] parameters) =>
        ExecuteAsync(hub.DatabaseUrl, sql, parameters);

    public static async Task<long> CountAsync(HubFixture hub, string sql, params object[] parameters)
    {
        await using var connection = await OpenAsync(hub.DatabaseUrl);
        await using var command = Command(connection, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<T> ScalarAsync<T>(string databaseUrl, string sql, params object[] parameters)
    {
        await using var connection = await OpenAsync(databaseUrl);
        await using var command = Command(connection, sql, parameters);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<NpgsqlConnection> OpenAsync(string databaseUrl)
    {
        // Unpooled: fixture SQL must not share sessions (and their settings) with anything else.
        var builder = new NpgsqlConnectionStringBuilder(ConnectionStrings.ToNpgsql(databaseUrl, 2)) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }
}
