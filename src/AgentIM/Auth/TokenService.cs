using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Config;

namespace AgentIM.Auth;

/// <summary>The claims of a verified access token.</summary>
public sealed record AccessClaims(string UserId, string Username, string SessionId, string Jti, long IssuedAtMs, DateTime ExpiresAt);

public enum TokenCheck
{
    Valid,
    Invalid,
    WrongType,
}

/// <summary>
/// HS256 JSON Web Tokens, written by hand: about sixty lines instead of a dependency that adds megabytes and
/// start-up time (notes/aot-probe.md). The algorithm is pinned (no "none", no key confusion), signatures are
/// compared in fixed time, and iss/aud/exp/type are checked. Stable wire facts: issuer and audience "agentim",
/// claim names sub, username, type, jti, iat, exp; we add sid (session) and iat_ms (millisecond issue time,
/// so a revocation instant is exact).
/// </summary>
public sealed class TokenService
{
    private const string Issuer = "agentim";
    private const string Audience = "agentim";

    private readonly byte[] _key;
    private readonly byte[]? _previousKey;
    private readonly string _encodedHeader;
    private long _longestLifetimeTicks;

    public TokenService(HubConfig config)
    {
        _key = Encoding.UTF8.GetBytes(config.JwtSecret);
        _previousKey = config.JwtSecretPrevious is { } previous ? Encoding.UTF8.GetBytes(previous) : null;
        _longestLifetimeTicks = config.AccessTokenLifetime.Ticks;
        var kid = Convert.ToHexStringLower(SHA256.HashData(_key))[..8];
        _encodedHeader = Base64Url.EncodeToString(
            JsonSerializer.SerializeToUtf8Bytes(new JwtHeader("HS256", "JWT", kid), TokenJson.Default.JwtHeader));
    }

    /// <summary>
    /// The longest access-token lifetime this process has issued (at least the configured one): a revocation must
    /// outlive every token it stops, even after the runtime setting was shortened.
    /// </summary>
    public TimeSpan LongestAccessLifetime => TimeSpan.FromTicks(Interlocked.Read(ref _longestLifetimeTicks));

    /// <summary>Issues an access token valid for <paramref name="lifetime"/> (the runtime setting <c>jwt.accessExpiry</c>).</summary>
    public (string Token, AccessClaims Claims) CreateAccessToken(string userId, string username, string sessionId, TimeSpan lifetime)
    {
        NoteLifetime(lifetime);
        var now = Clock.UtcNow();
        var nowMs = Clock.ToUnixMs(now);
        var expires = now + lifetime;
        var payload = new JwtPayload
        {
            Sub = userId,
            Username = username,
            Type = "access",
            Iss = Issuer,
            Aud = Audience,
            Jti = Ids.New(),
            Iat = nowMs / 1000,
            Exp = Clock.ToUnixMs(expires) / 1000,
            Sid = sessionId,
            IatMs = nowMs,
        };
        var encodedPayload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload, TokenJson.Default.JwtPayload));
        var body = $"{_encodedHeader}.{encodedPayload}";
        var token = $"{body}.{Base64Url.EncodeToString(Sign(_key, body))}";
        return (token, new AccessClaims(
            userId, username, sessionId, payload.Jti, nowMs, DateTimeOffset.FromUnixTimeSeconds(payload.Exp).UtcDateTime));
    }

    /// <summary>Raises <see cref="LongestAccessLifetime"/> to <paramref name="lifetime"/> if it is longer.</summary>
    public void NoteLifetime(TimeSpan lifetime)
    {
        var ticks = lifetime.Ticks;
        var seen = Interlocked.Read(ref _longestLifetimeTicks);
        while (ticks > seen)
        {
            var previous = Interlocked.CompareExchange(ref _longestLifetimeTicks, ticks, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    public TokenCheck ValidateAccessToken(string? token, out AccessClaims? claims)
    {
        claims = null;
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return TokenCheck.Invalid;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || !HasValidSignature(parts) || !TryDecode(parts[0], TokenJson.Default.JwtHeader, out var header)
            || header!.Alg != "HS256" || !TryDecode(parts[1], TokenJson.Default.JwtPayload, out var payload))
        {
            return TokenCheck.Invalid;
        }

        var nowSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (payload!.Iss != Issuer || payload.Aud != Audience || payload.Exp <= nowSeconds
            || string.IsNullOrEmpty(payload.Sub) || string.IsNullOrEmpty(payload.Username))
        {
            return TokenCheck.Invalid;
        }

        if (payload.Type != "access")
        {
            return TokenCheck.WrongType;
        }

        claims = new AccessClaims(
            payload.Sub,
            payload.Username,
            payload.Sid ?? "",
            payload.Jti ?? "",
            payload.IatMs ?? payload.Iat * 1000,
            DateTimeOffset.FromUnixTimeSeconds(payload.Exp).UtcDateTime);
        return TokenCheck.Valid;
    }

    private bool HasValidSignature(string[] parts)
    {
        Span<byte> presented = stackalloc byte[64];
        if (!Base64Url.IsValid(parts[2]) || Base64Url.GetMaxDecodedLength(parts[2].Length) > presented.Length)
        {
            return false;
        }

        var length = Base64Url.DecodeFromChars(parts[2], presented);
        var signed = $"{parts[0]}.{parts[1]}";
        return CryptographicOperations.FixedTimeEquals(Sign(_key, signed), presented[..length])
            || (_previousKey is not null && CryptographicOperations.FixedTimeEquals(Sign(_previousKey, signed), presented[..length]));
    }

    private static byte[] Sign(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(data));

    private static bool TryDecode<T>(string part, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, out T? value)
    {
        value = default;
        try
        {
            value = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(part), typeInfo);
            return value is not null;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return false;
        }
    }
}

internal sealed record JwtHeader(
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("typ")] string? Typ,
    [property: JsonPropertyName("kid")] string? Kid);

internal sealed class JwtPayload
{
    [JsonPropertyName("sub")] public string? Sub { get; init; }
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("iss")] public string? Iss { get; init; }
    [JsonPropertyName("aud")] public string? Aud { get; init; }
    [JsonPropertyName("jti")] public string? Jti { get; init; }
    [JsonPropertyName("iat")] public long Iat { get; init; }
    [JsonPropertyName("exp")] public long Exp { get; init; }
    [JsonPropertyName("sid")] public string? Sid { get; init; }
    [JsonPropertyName("iat_ms")] public long? IatMs { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JwtHeader))]
[JsonSerializable(typeof(JwtPayload))]
internal sealed partial class TokenJson : JsonSerializerContext;
