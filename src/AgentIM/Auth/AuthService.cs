using AgentIM.Audit;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Config;
using AgentIM.Settings;
using AgentIM.Users;

namespace AgentIM.Auth;

/// <summary>
/// What login and refresh hand back: an access token, the session's refresh token and how long that one lives
/// (the cookie's Max-Age).
/// </summary>
public sealed record IssuedTokens(string AccessToken, string RefreshToken, TimeSpan RefreshLifetime, UserRow User);

/// <summary>A login's outcome: tokens, or null with what the audit log records about the refusal.</summary>
public sealed record LoginOutcome(IssuedTokens? Tokens, string? UserId, AuditMetadata Details);

public enum RefreshFailure
{
    None,
    RevokedOrInvalid,
    Expired,
    UserNotFound,
}

/// <summary>
/// Password login, refresh-token rotation and logout (rest-api.md §2, behaviour.md §3, decisions.md). Token
/// lifetimes are the runtime settings <c>jwt.accessExpiry</c> / <c>jwt.refreshExpiry</c>, read per issue, so an
/// admin's change applies to the next login or refresh without a restart.
/// </summary>
public sealed class AuthService(
    HubConfig config,
    RuntimeSettings settings,
    UserStore users,
    SessionStore sessions,
    SessionRevocations revocations,
    PasswordHasher hasher,
    TokenService tokens,
    ILogger<AuthService> logger)
{
    public const string InvalidCredentials = "Invalid credentials";

    /// <summary>
    /// Unknown, locked, disabled and password-less users spend the same argon2 time as a wrong password and get
    /// the same answer, so neither timing nor text tells which names exist.
    /// </summary>
    public async Task<LoginOutcome> LoginAsync(string username, string password, CancellationToken cancellationToken)
    {
        var details = new AuditMetadata().Add("username", username);
        var user = await users.FindByUsernameAsync(username, cancellationToken);
        var usable = user is { PasswordHash: not null, DisabledAt: null } && !(user.LockedUntil > DateTime.UtcNow);
        if (!usable)
        {
            await hasher.VerifyDummyAsync(password, cancellationToken);
            AuthLog.LoginRefused(logger, user?.Id ?? "(unknown)");
            if (user is not null)
            {
                details = user.LockedUntil > DateTime.UtcNow ? details.Add("locked", true)
                    : user.PasswordHash is null ? details.Add("noPassword", true)
                    : details.Add("disabled", true);
            }

            return new LoginOutcome(null, user?.Id, details);
        }

        if (!await hasher.VerifyAsync(password, user!.PasswordHash, cancellationToken))
        {
            var (attempts, locked) = await users.RecordFailedLoginAsync(user.Id, cancellationToken);
            AuthLog.LoginRefused(logger, user.Id);
            details.Add("attempts", attempts);
            return new LoginOutcome(null, user.Id, locked ? details.Add("locked", true) : details);
        }

        await users.ResetFailedLoginsAsync(user.Id, cancellationToken);
        var lifetimes = await settings.GetAsync(cancellationToken);
        var sessionId = Ids.New();
        var refresh = SessionStore.NewRefreshToken();
        var refreshLifetime = lifetimes.RefreshTokenLifetime;
        await sessions.InsertForLoginAsync(user.Id, sessionId, refresh, Clock.UtcNow() + refreshLifetime, cancellationToken);
        var (access, _) = tokens.CreateAccessToken(user.Id, user.Username, sessionId, lifetimes.AccessTokenLifetime);
        AuthLog.LoggedIn(logger, user.Id);
        return new LoginOutcome(new IssuedTokens(access, refresh, refreshLifetime, user), user.Id, details);
    }

    public async Task<(IssuedTokens? Tokens, RefreshFailure Failure)> RefreshAsync(string presented, CancellationToken cancellationToken)
    {
        var lifetimes = await settings.GetAsync(cancellationToken);
        var refreshLifetime = lifetimes.RefreshTokenLifetime;
        var successor = SessionStore.NewRefreshToken();
        var consumed = await sessions.RotateAsync(presented, successor, Clock.UtcNow() + refreshLifetime, cancellationToken);
        if (consumed is null)
        {
            return (null, RefreshFailure.RevokedOrInvalid);
        }

        if (consumed.ExpiresAt == DateTime.MinValue)
        {
            return (null, RefreshFailure.Expired);
        }

        var user = await users.FindByIdAsync(consumed.UserId, cancellationToken);
        if (user is null || user.DisabledAt is not null)
        {
            await sessions.DeleteSessionAsync(consumed.UserId, consumed.SessionId, cancellationToken);
            return (null, RefreshFailure.UserNotFound);
        }

        var (access, _) = tokens.CreateAccessToken(user.Id, user.Username, consumed.SessionId, lifetimes.AccessTokenLifetime);
        return (new IssuedTokens(access, successor, refreshLifetime, user), RefreshFailure.None);
    }

    /// <summary>Ends the caller's session: its refresh tokens, its access tokens and the sockets opened with them.</summary>
    public async Task LogoutAsync(AccessClaims caller, string? refreshToken, CancellationToken cancellationToken)
    {
        if (refreshToken is not null)
        {
            await sessions.DeleteByTokenAsync(caller.UserId, refreshToken, cancellationToken);
        }

        await revocations.RevokeSessionAsync(caller.UserId, caller.SessionId, cancellationToken);
        AuthLog.LoggedOut(logger, caller.UserId);
    }

    /// <summary>Creates or repairs the admin named by ADMIN_USERNAME / ADMIN_PASSWORD (behaviour.md §3.6).</summary>
    public async Task SeedAdminAsync(CancellationToken cancellationToken)
    {
        if (config.AdminPassword is not { } password)
        {
            AuthLog.NoAdminPassword(logger);
            return;
        }

        var existing = await users.FindByUsernameAsync(config.AdminUsername, cancellationToken);
        if (existing is null)
        {
            var hash = await hasher.HashAsync(password, cancellationToken);
            var created = await users.InsertAsync(config.AdminUsername, hash, config.AdminUsername, "admin", cancellationToken);
            if (created is not null)
            {
                AuthLog.AdminCreated(logger, created.Id);
            }

            return;
        }

        if (!existing.IsAdmin || !await hasher.VerifyAsync(password, existing.PasswordHash, cancellationToken))
        {
            await users.SetPasswordAndRoleAsync(
                existing.Id, await hasher.HashAsync(password, cancellationToken), "admin", cancellationToken);
            AuthLog.AdminRepaired(logger, existing.Id);
        }
    }
}
