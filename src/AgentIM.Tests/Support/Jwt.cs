using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AgentIM.Tests.Support;

/// <summary>Reads and forges JSON Web Tokens, so tests can present what an attacker or a buggy client would.</summary>
public static class Jwt
{
    public static JsonObject Header(string token) => Decode(token.Split('.')[0]);

    public static JsonObject Payload(string token) => Decode(token.Split('.')[1]);

    /// <summary>The token with its payload replaced and the original signature kept.</summary>
    public static string WithPayload(string token, JsonObject payload)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{Encode(payload)}.{parts[2]}";
    }

    /// <summary>An unsigned token (<c>alg: none</c>) carrying <paramref name="payload"/>.</summary>
    public static string Unsigned(JsonObject payload) =>
        $"{Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{Encode(payload)}.";

    /// <summary>A correctly signed HS256 token, for claims the hub itself would never issue.</summary>
    public static string Sign(JsonObject payload, string secret)
    {
        var body = $"{Encode(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" })}.{Encode(payload)}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(body));
        return $"{body}.{Base64Url.EncodeToString(signature)}";
    }

    private static string Encode(JsonObject value) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value.ToJsonString()));

    private static JsonObject Decode(string part) => JsonNode.Parse(Base64Url.DecodeFromChars(part))!.AsObject();
}
