using Npgsql;

namespace AgentIM.Tests.Support;

/// <summary>
/// Direct SQL against a test hub's own database, for setup no route offers (hundreds of rows, a crashed gateway's
/// stale row). Tests still observe outcomes through the hub's HTTP and WebSocket endpoints.
/// </summary>
public static class TestSql
{
    public static async Task<int> ExecuteAsync(HubFixture hub, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(Infrastructure.Db.ConnectionStrings.ToNpgsql(hub.DatabaseUrl, 2));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteNonQueryAsync();
    }
}
