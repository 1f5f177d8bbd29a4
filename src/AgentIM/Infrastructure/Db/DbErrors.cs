using System.Net.Sockets;
using Npgsql;

namespace AgentIM.Infrastructure.Db;

/// <summary>Classifies database failures so callers can answer a client mistake or a retriable outage correctly.</summary>
public static class DbErrors
{
    public static bool IsUniqueViolation(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public static bool IsForeignKeyViolation(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    /// <summary>
    /// True when the database is unreachable or restarting: the request may succeed if retried (case B23).
    /// Such failures answer 503, never 401 or a generic 500.
    /// </summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections
            || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException { IsTransient: true } => true,
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => true,
        TimeoutException => true,
        _ => false,
    };
}
