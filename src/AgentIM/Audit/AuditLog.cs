using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Http;
using Npgsql;
using NpgsqlTypes;

namespace AgentIM.Audit;

/// <summary>
/// Writes <c>audit_logs</c> rows (data-model.md §2.19; write-only, there is no read API). The address is the
/// client address of decisions.md (case B10): the socket peer unless a trusted proxy vouches for another, never a
/// header the client wrote itself. Writing is best effort: a failed audit insert is logged and never fails the
/// action it records.
/// </summary>
public sealed class AuditLog(HubDatabase database, HubConfig config, ILogger<AuditLog> logger)
{
    /// <summary>Records an action of <paramref name="userId"/> (null when nobody is known, e.g. a failed login).</summary>
    public async Task WriteAsync(
        HttpContext context,
        string? userId,
        string action,
        string? targetId,
        string? targetType,
        AuditMetadata? metadata,
        CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO audit_logs (id, user_id, action, target_id, target_type, metadata, ip_address, created_at)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
            """;
        try
        {
            await using var command = database.DataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = Ids.New() });
            command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = userId, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = action });
            command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = targetId, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = targetType, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = metadata?.ToJson(), NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = ClientAddress.Of(context, config.TrustedProxies) });
            command.Parameters.Add(new NpgsqlParameter { Value = Clock.UtcNow() });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AuditLogMessages.WriteFailed(logger, action, e);
        }
    }
}
