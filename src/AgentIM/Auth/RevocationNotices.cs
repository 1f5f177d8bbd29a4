using System.Globalization;
using AgentIM.Infrastructure;
using Npgsql;

namespace AgentIM.Auth;

/// <summary>
/// Revocations announced through PostgreSQL: whoever records one (a hub node, the admin CLI) sends
/// <c>NOTIFY agentim_revocations</c> in the same transaction, so it is heard only if it was committed, and every hub
/// process sharing the database hears it, with or without Redis. Payloads (stable): <c>u:&lt;userId&gt;:&lt;revokedAtMs&gt;</c>
/// for every session of a user, <c>s:&lt;userId&gt;:&lt;sessionId&gt;:&lt;expiresAtMs&gt;</c> for one session.
/// </summary>
public static class RevocationNotices
{
    public const string Channel = "agentim_revocations";

    public static string ForUser(string userId, DateTime at) =>
        string.Create(CultureInfo.InvariantCulture, $"u:{userId}:{Clock.ToUnixMs(at)}");

    public static string ForSession(string userId, string sessionId, DateTime expiresAt) =>
        string.Create(CultureInfo.InvariantCulture, $"s:{userId}:{sessionId}:{Clock.ToUnixMs(expiresAt)}");

    /// <summary><c>SELECT pg_notify(…)</c> for a batch or transaction that records the revocation.</summary>
    public static NpgsqlBatchCommand Command(string payload) => new($"SELECT pg_notify('{Channel}', $1)")
    {
        Parameters = { new NpgsqlParameter { Value = payload } },
    };

    /// <summary>Applies one payload; false when it is not one of ours.</summary>
    public static bool Apply(SessionRevocations revocations, string payload)
    {
        var parts = payload.Split(':');
        switch (parts)
        {
            case ["u", var userId, var at] when long.TryParse(at, CultureInfo.InvariantCulture, out var atMs):
                revocations.ApplyRemoteUser(userId, atMs);
                return true;
            case ["s", var userId, var sessionId, var expires] when long.TryParse(expires, CultureInfo.InvariantCulture, out var expiresMs):
                revocations.ApplyRemoteSession(userId, sessionId, expiresMs);
                return true;
            default:
                return false;
        }
    }
}
