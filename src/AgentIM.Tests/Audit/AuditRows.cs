using System.Text.Json.Nodes;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Audit;

/// <summary>One stored <c>audit_logs</c> row, as fixture SQL reads it back.</summary>
public sealed record AuditRow(string? UserId, string Action, string? TargetId, string? TargetType, JsonObject? Metadata, string? IpAddress);

/// <summary>Reads the audit table of a test hub's database (there is no read API: the table is write-only).</summary>
public static class AuditRows
{
    public static async Task<List<AuditRow>> ForTargetAsync(HubFixture hub, string targetId)
    {
        const string sql = """
            SELECT user_id, action, target_id, target_type, metadata::text, ip_address
            FROM audit_logs
            WHERE target_id = $1
            ORDER BY created_at, id
            """;
        await using var connection = await TestSql.OpenAsync(hub.DatabaseUrl);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = targetId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<AuditRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new AuditRow(
                reader.IsDBNull(0) ? null : reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : JsonNode.Parse(reader.GetString(4))!.AsObject(),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return rows;
    }
}
