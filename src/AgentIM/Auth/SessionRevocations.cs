using System.Collections.Concurrent;
using AgentIM.Infrastructure;
using AgentIM.Settings;

namespace AgentIM.Auth;

/// <summary>
/// What was revoked: one session of a user, or (SessionId null) every session of the user. Remote: it was made by
/// another process (a hub node, the admin CLI) and reached this one by PostgreSQL NOTIFY or Redis.
/// </summary>
public sealed record Revocation(string UserId, string? SessionId, bool Remote = false);

/// <summary>
/// Access tokens stay valid until they expire unless revoked here (decisions.md): logout revokes one session,
/// a password change, disable or delete revokes every session of the user up to a millisecond instant.
/// The state lives in memory for the per-request check and in PostgreSQL so a restart keeps it.
/// Entries expire with the tokens they stop, so the maps cannot grow without bound. Revocations made elsewhere
/// (another node, the CLI) arrive through <see cref="ApplyRemoteUser"/> and <see cref="ApplyRemoteSession"/>; each
/// raises <see cref="Revoked"/> only the first time, whichever way it arrives first.
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
        _sessionExpiresAtMs[sessionId] = Clock.ToUnixMs(expiresAt);
        await store.RecordSessionRevokedAsync(userId, sessionId, expiresAt, cancellationToken);
        Revoked?.Invoke(new Revocation(userId, sessionId));
    }

    public async Task RevokeUserAsync(string userId, CancellationToken cancellationToken)
    {
        var now = Clock.UtcNow();
        // In memory first: our own NOTIFY comes back and must find the revocation already known.
        _userRevokedAtMs.AddOrUpdate(userId, Clock.ToUnixMs(now), (_, old) => Math.Max(old, Clock.ToUnixMs(now)));
        await store.RecordUserRevokedAsync(userId, now, cancellationToken);
        Revoked?.Invoke(new Revocation(userId, null));
    }

    /// <summary>Every token of the user issued up to <paramref name="atMs"/> is revoked (made by another process).</summary>
    public void ApplyRemoteUser(string userId, long atMs)
    {
        var changed = false;
        _userRevokedAtMs.AddOrUpdate(
            userId,
            _ =>
            {
                changed = true;
                return atMs;
            },
            (_, old) =>
            {
                changed = atMs > old;
                return Math.Max(old, atMs);
            });
        if (changed)
        {
            Revoked?.Invoke(new Revocation(userId, null, Remote: true));
        }
    }

    /// <summary>
    /// One session of the user is revoked (made by another process); <paramref name="expiresAtMs"/> 0 means "a token
    /// lifetime from now".
    /// </summary>
    public void ApplyRemoteSession(string userId, string sessionId, long expiresAtMs)
    {
        if (expiresAtMs <= 0)
        {
            expiresAtMs = Clock.ToUnixMs(DateTime.UtcNow + tokens.LongestAccessLifetime);
        }

        if (_sessionExpiresAtMs.TryAdd(sessionId, expiresAtMs))
        {
            Revoked?.Invoke(new Revocation(userId, sessionId, Remote: true));
        }
    }

    /// <summary>Re-reads the revocations in force and applies those this process missed (after a lost LISTEN connection).</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var (users, sessions) = await store.LoadActiveAsync(tokens.LongestAccessLifetime, cancellationToken);
        foreach (var (userId, at) in users)
        {
            ApplyRemoteUser(userId, Clock.ToUnixMs(at));
        }

        foreach (var (sessionId, expiresAt) in sessions)
        {
            _sessionExpiresAtMs.TryAdd(sessionId, Clock.ToUnixMs(expiresAt));
        }
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
