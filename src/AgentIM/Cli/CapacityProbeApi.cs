using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AgentIM.Cli;

/// <summary>
/// The probe's REST side: an ordinary client of <c>/api</c> (rest-api.md), never the database. No proxy and no
/// redirects, so a request can only reach the loopback address it was given.
/// </summary>
internal sealed class CapacityProbeApi : IDisposable
{
    private readonly HttpClient _http;
    private string? _adminToken;

    public CapacityProbeApi(Uri baseAddress)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Logs in and returns (user id, access token).</summary>
    public async Task<(string UserId, string Token)> LoginAsync(string username, string password, CancellationToken cancellationToken)
    {
        var data = await SendAsync(
            HttpMethod.Post, "/api/auth/login", null, new ProbeLogin(username, password), CapacityProbeJson.Default.ProbeLogin,
            CapacityProbeJson.Default.ProbeEnvelopeProbeLoginData, cancellationToken);
        return (data.User.Id, data.AccessToken);
    }

    public async Task LoginAdminAsync(string username, string password, CancellationToken cancellationToken) =>
        _adminToken = (await LoginAsync(username, password, cancellationToken)).Token;

    public async Task<string> CreateUserAsync(string username, string password, CancellationToken cancellationToken)
    {
        var user = await SendAsync(
            HttpMethod.Post, "/api/users", _adminToken, new ProbeNewUser(username, password, username, "user"),
            CapacityProbeJson.Default.ProbeNewUser, CapacityProbeJson.Default.ProbeEnvelopeProbeIdOnly, cancellationToken);
        return user.Id;
    }

    public Task SetUserSocketLimitAsync(string userId, int maxWsConnections, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Put, $"/api/users/{userId}", _adminToken, new ProbeUserLimits(maxWsConnections),
            CapacityProbeJson.Default.ProbeUserLimits, CapacityProbeJson.Default.ProbeEnvelopeProbeIdOnly, cancellationToken);

    public Task DeleteUserAsync(string userId, CancellationToken cancellationToken) =>
        SendAsync<ProbeLogin, ProbeIdOnly>(HttpMethod.Delete, $"/api/users/{userId}", _adminToken, null, null, null, cancellationToken);

    public async Task<string> CreateRoomAsync(string name, IReadOnlyList<string> memberIds, CancellationToken cancellationToken)
    {
        var room = await SendAsync(
            HttpMethod.Post, "/api/rooms", _adminToken, new ProbeNewRoom(name, "group", false, memberIds),
            CapacityProbeJson.Default.ProbeNewRoom, CapacityProbeJson.Default.ProbeEnvelopeProbeIdOnly, cancellationToken);
        return room.Id;
    }

    public Task DeleteRoomAsync(string roomId, CancellationToken cancellationToken) =>
        SendAsync<ProbeLogin, ProbeIdOnly>(HttpMethod.Delete, $"/api/rooms/{roomId}", _adminToken, null, null, null, cancellationToken);

    /// <summary>The stored values of the given settings: null where the key has no row (environment or default applies).</summary>
    public async Task<Dictionary<string, string?>> GetStoredSettingsAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var groups = await SendAsync<ProbeLogin, Dictionary<string, List<ProbeSetting>>>(
            HttpMethod.Get, "/api/admin/settings", _adminToken, null, null,
            CapacityProbeJson.Default.ProbeEnvelopeDictionaryStringListProbeSetting, cancellationToken);
        var all = groups.Values.SelectMany(g => g).ToDictionary(s => s.Key, StringComparer.Ordinal);
        var stored = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!all.TryGetValue(key, out var setting))
            {
                throw new CapacityProbeException($"the hub has no setting {key}");
            }

            stored[key] = setting.Source == "db" ? setting.Value : null;
        }

        return stored;
    }

    public Task ChangeSettingsAsync(Dictionary<string, string?> changes, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Put, "/api/admin/settings", _adminToken, new ProbeSettingsChange(changes),
            CapacityProbeJson.Default.ProbeSettingsChange, CapacityProbeJson.Default.ProbeEnvelopeProbeIdOnly, cancellationToken);

    /// <summary>The hub's own <c>process_rss_bytes</c> (decisions.md: the resident set from /proc/self/status).</summary>
    public async Task<long> ReadRssMetricAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken);
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CapacityProbeException($"GET /api/metrics answered {(int)response.StatusCode}: {Truncate(text)}");
        }

        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("process_rss_bytes ", StringComparison.Ordinal))
            {
                return (long)double.Parse(line["process_rss_bytes ".Length..], CultureInfo.InvariantCulture);
            }
        }

        throw new CapacityProbeException("GET /api/metrics has no process_rss_bytes line");
    }

    private async Task<TData> SendAsync<TBody, TData>(
        HttpMethod method,
        string path,
        string? token,
        TBody? body,
        JsonTypeInfo<TBody>? bodyType,
        JsonTypeInfo<ProbeEnvelope<TData>>? replyType,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null && bodyType is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, bodyType), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CapacityProbeException($"{method} {path} answered {(int)response.StatusCode}: {Truncate(text)}");
        }

        if (replyType is null)
        {
            return default!;
        }

        ProbeEnvelope<TData>? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(text, replyType);
        }
        catch (JsonException e)
        {
            throw new CapacityProbeException($"{method} {path} answered something that is not the API envelope: {e.Message}");
        }

        return envelope is { Ok: true, Data: { } data }
            ? data
            : throw new CapacityProbeException($"{method} {path} answered without data: {Truncate(text)}");
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
