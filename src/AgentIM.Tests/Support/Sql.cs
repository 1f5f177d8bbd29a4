using AgentIM.Infrastructure.Db;
using Npgsql;

namespace AgentIM.Tests.Support;

/// <summary>
/// Fixture SQL (bug-cases.md conventions): direct reads and writes on a hub's own database, for states the API
/// cannot produce on demand and for checks the API does not expose.
/// </summary>
public static class Sql
{
    public static async Task<int> ExecuteAsync(HubFixture hub, string sql, params object[] parameters)
    {
        await using var connection = await OpenAsync(hub);
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> CountAsync(HubFixture hub, string sql, params object[] parameters)
    {
        await using var connection = await OpenAsync(hub);
        await using var command = Command(connection, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task<NpgsqlConnection> OpenAsync(HubFixture hub)
    {
        var connection = new NpgsqlConnection(ConnectionStrings.ToNpgsql(hub.DatabaseUrl, 2));
        await connection.OpenAsync();
        return connection;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
