using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentIM.Tests.Support;

/// <summary>An HTTP answer as a test reads it: status, parsed JSON body (or the raw text as a string value) and headers.</summary>
public sealed record HttpReply(int Status, JsonNode? Body, HttpResponseHeaders Headers)
{
    public string? Error => Body?["error"]?.GetValue<string>();

    public JsonNode Data => Body?["data"] ?? throw new Xunit.Sdk.XunitException($"no data in {Status} {Body}");

    public IReadOnlyList<string> SetCookies => Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];

    /// <summary>The value the response set for <paramref name="name"/>, or null when it set none.</summary>
    public string? CookieValue(string name) =>
        SetCookies.Select(c => c.Split(';')[0]).Where(c => c.StartsWith(name + "=", StringComparison.Ordinal))
            .Select(c => c[(name.Length + 1)..]).LastOrDefault();

    public override string ToString() => $"{Status} {Body?.ToJsonString()}";
}

/// <summary>
/// Requests the <see cref="Session"/> helpers cannot make: no or odd Authorization headers, raw (even broken) JSON
/// bodies, and cookies set by hand.
/// </summary>
public static class HubHttp
{
    public static async Task<HttpReply> SendAsync(
        this HubFixture hub,
        HttpMethod method,
        string path,
        string? json = null,
        string? authorization = null,
        string? cookie = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await hub.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body;
        try
        {
            body = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            body = JsonValue.Create(text);
        }

        return new HttpReply((int)response.StatusCode, body, response.Headers);
    }

    public static Task<HttpReply> PostJsonAsync(
        this HubFixture hub, string path, object body, string? authorization = null, string? cookie = null) =>
        hub.SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body), authorization, cookie);

    public static Task<HttpReply> GetAsync(this HubFixture hub, string path, string? authorization = null) =>
        hub.SendAsync(HttpMethod.Get, path, null, authorization);

    public static string Bearer(string token) => $"Bearer {token}";
}
