using System.Collections.Concurrent;
using AgentIM.Infrastructure;
using AgentIM.Settings;

namespace AgentIM.Auth;

/// <summary>What was revoked: one session of a user, or (SessionId null) every session of the user.</summary>
public sealed record Revocation(string UserId, string? SessionId);

/// <summary>
/// Access tokens stay valid until they expire unless revoked here (decisions.md): logout revokes one session,
/// a password change, disable or delete revokes every session of the user up to a millisecond instant.
/// The state lives in memory for the per-request check and in PostgreSQL so a restart keeps it.
/// Entries expire with the tokens they stop, so the maps cannot grow without bound.
/// </summary>
public sealed class SessionRevocations(SessionStore store, TokenService tokens, RuntimeSettings settings)
{
    private readonly ConcurrentDictionary<string, long> _userRevokedAtMs = new();
    private readonly ConcurrentDictionary<string, long> _sessionExpiresAtMs = new();

    /// <summary>Raised after a revocation is stored; the realtime layer closes the matching sockets.</summary>
    public event Action<Revocation>? Revoked;

    public bool IsRevoked(AccessClaims claims) =>
        (_userRevokedAtMs.TryGetValue(claims.UserId, out var at) && claims.IssuedAtMs <= at)
        || (claims.SessionId.Length > 0 && _sessionExpiresAtMs.ContainsKey(claims.SessionId));

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        // Tokens issued before the restart may carry the lifetime the settings table holds now.
        tokens.NoteLifetime((await settings.GetAsync(cancellationToken)).AccessTokenLifetime);
        var (users, sessions) = await store.LoadActiveAsync(tokens.LongestAccessLifetime, cancellationToken);
        foreach (var (userId, at) in users)
        {
            _userRevokedAtMs[userId] = Clock.ToUnixMs(at);
        }

        foreach (var (sessionId, expiresAt) in sessions)
        {
            _sessionExpiresAtMs[sessionId] = Clock.ToUnixMs(expiresAt);
        }
    }

    public async Task RevokeSessionAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        var expiresAt = Clock.UtcNow() + tokens.LongestAccessLifetime;
        await store.DeleteSessionAsync(userId, sessionId, cancellationToken);
        await store.RecordSessionRevokedAsync(userId, sessionId, expiresAt, cancellationToken);
        _sessionExpiresAtMs[sessionId] = Clock.ToUnixMs(expiresAt);
        Revoked?.Invoke(new Revocation(userId, sessionId));
    }

    public async Task RevokeUserAsync(string userId, CancellationToken cancellationToken)
    {
        var now = Clock.UtcNow();
        await store.RecordUserRevokedAsync(userId, now, cancellationToken);
        _userRevokedAtMs[userId] = Clock.ToUnixMs(now);
        Revoked?.Invoke(new Revocation(userId, null));
    }

    /// <summary>Drops entries whose tokens have expired anyway.</summary>
    public void Prune()
    {
        var nowMs = Clock.ToUnixMs(DateTime.UtcNow);
        var lifetimeMs = (long)tokens.LongestAccessLifetime.TotalMilliseconds;
        foreach (var (userId, at) in _userRevokedAtMs)
        {
            if (at + lifetimeMs < nowMs)
            {
                _userRevokedAtMs.TryRemove(userId, out _);
            }
        }

        foreach (var (sessionId, expires) in _sessionExpiresAtMs)
        {
            if (expires < nowMs)
            {
                _sessionExpiresAtMs.TryRemove(sessionId, out _);
            }
        }
    }
}
