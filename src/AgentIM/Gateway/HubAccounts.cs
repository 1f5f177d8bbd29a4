using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentIM.Gateway;

/// <summary>A pair of tokens the hub issued.</summary>
public sealed record HubTokens(string AccessToken, string RefreshToken);

/// <summary>How a refresh ended: new tokens, a permanent refusal (log in again), or a failure worth retrying.</summary>
public enum RefreshOutcome
{
    Refreshed,
    Refused,
    Retry,
}

/// <summary>
/// The two REST calls a gateway makes (gateway-cli.md §1): <c>POST /api/auth/login</c> and the JSON-body path of
/// <c>POST /api/auth/refresh</c>, each with a 10 s limit. Cookies are never used.
/// </summary>
public sealed class HubAccounts(HttpClient http)
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Checks a server address: an absolute http(s) URL; returns its base (no trailing slash) or null.</summary>
    public static string? NormalizeServer(string server)
    {
        if (!Uri.TryCreate(server.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || string.IsNullOrEmpty(uri.Host) || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return null;
        }

        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>The gateway socket address of a server base: http → ws, https → wss, path /ws/gateway.</summary>
    public static string GatewaySocketUrl(string serverBaseUrl)
    {
        var uri = new UriBuilder(serverBaseUrl);
        uri.Scheme = uri.Scheme == "https" ? "wss" : "ws";
        uri.Path = uri.Path.TrimEnd('/') + "/ws/gateway";
        return uri.Uri.ToString();
    }

    /// <summary>Logs in; the tokens, or the one-line reason it failed.</summary>
    public async Task<(HubTokens? Tokens, string? Error)> LoginAsync(
        string serverBaseUrl, string username, string password, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["username"] = username, ["password"] = password };
        try
        {
            var (status, data) = await PostAsync(serverBaseUrl + "/api/auth/login", body, cancellationToken);
            if (status is < 200 or > 299)
            {
                return (null, $"Login failed: {status}{(data?["error"] is JsonValue error ? " " + error : "")}");
            }

            if (data?["data"]?["totpRequired"]?.GetValueKind() == JsonValueKind.True)
            {
                return (null, "Login failed: this account uses two-factor sign-in, which the gateway does not support");
            }

            return Tokens(data) is { } tokens ? (tokens, null) : (null, "Login failed: the server's answer has no tokens");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return (null, $"Login failed: cannot reach {serverBaseUrl} ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    /// <summary>
    /// Refreshes through the JSON body. 4xx other than 408/429 is a permanent refusal; 5xx, 408, 429, <c>ok:false</c>
    /// with 2xx and network errors are worth a retry.
    /// </summary>
    public async Task<(RefreshOutcome Outcome, HubTokens? Tokens)> RefreshAsync(
        string serverBaseUrl, string refreshToken, CancellationToken cancellationToken)
    {
        try
        {
            var (status, data) = await PostAsync(
                serverBaseUrl + "/api/auth/refresh", new JsonObject { ["refreshToken"] = refreshToken }, cancellationToken);
            if (status is >= 400 and < 500 && status is not (408 or 429))
            {
                return (RefreshOutcome.Refused, null);
            }

            return status is >= 200 and < 300 && Tokens(data) is { } tokens
                ? (RefreshOutcome.Refreshed, tokens)
                : (RefreshOutcome.Retry, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return (RefreshOutcome.Retry, null);
        }
    }

    private static HubTokens? Tokens(JsonNode? body) =>
        body?["ok"]?.GetValueKind() == JsonValueKind.True
        && body["data"]?["accessToken"] is JsonValue access && access.TryGetValue<string>(out var accessToken)
        && body["data"]?["refreshToken"] is JsonValue refresh && refresh.TryGetValue<string>(out var refreshToken)
            ? new HubTokens(accessToken, refreshToken)
            : null;

    private async Task<(int Status, JsonNode? Body)> PostAsync(string url, JsonObject body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CallTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        JsonNode? parsed;
        try
        {
            parsed = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            parsed = null;
        }

        return ((int)response.StatusCode, parsed);
    }

    /// <summary>An HTTP client that keeps no cookies (the refresh cookie must never be relied on).</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
