namespace AgentIM.Auth;

/// <summary>The outcome of checking a bearer token; <see cref="Error"/> is the contract's text when it failed.</summary>
public readonly record struct AuthCheck(AccessClaims? Claims, string? Error);

/// <summary>One place that turns a presented access token into claims, for REST and both sockets alike.</summary>
public sealed class Authenticator(TokenService tokens, SessionRevocations revocations)
{
    public const string InvalidOrExpired = "Invalid or expired token";
    public const string InvalidType = "Invalid token type";
    public const string Revoked = "Token revoked";

    public AuthCheck Check(string? token) => tokens.ValidateAccessToken(token, out var claims) switch
    {
        TokenCheck.WrongType => new AuthCheck(null, InvalidType),
        TokenCheck.Valid when revocations.IsRevoked(claims!) => new AuthCheck(null, Revoked),
        TokenCheck.Valid => new AuthCheck(claims, null),
        _ => new AuthCheck(null, InvalidOrExpired),
    };
}
