using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Crypto;
using AgentIM.Rooms;
using AgentIM.Routers;
using AgentIM.Settings;

namespace AgentIM.Realtime;

/// <summary>The OpenAI-compatible chat request the router sends.</summary>
public sealed record RouterChatRequest(string Model, IReadOnlyList<RouterChatMessage> Messages);

public sealed record RouterChatMessage(string Role, string Content);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RouterChatRequest))]
internal sealed partial class RouterLlmJson : JsonSerializerContext;

/// <summary>
/// The AI router of broadcast rooms (behaviour.md §1.3): a message that mentions no agent goes to the room's router
/// LLM (or the system router of the settings), which picks the agents meant. Any failure routes to nobody. A
/// circuit breaker per base URL stops calling an LLM after 5 failures in a row for 60 s, then lets one probe through.
/// Every connection re-checks the address it is about to use against the SSRF rules; loopback is allowed only when
/// <see cref="HubConfig.AllowLoopbackRouters"/> is set, which production refuses.
/// </summary>
public sealed class BroadcastRouter : IDisposable
{
    public const int MaxCandidates = 20;
    public const int FailuresToOpen = 5;

    public static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(60);

    private const int MaxReplyBytes = 1024 * 1024;

    private readonly HubConfig _config;
    private readonly RouterStore _routers;
    private readonly SecretBox _secretBox;
    private readonly RuntimeSettings _settings;
    private readonly RealtimeStore _store;
    private readonly ILogger<BroadcastRouter> _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Breaker> _breakers = new(StringComparer.Ordinal);

    public BroadcastRouter(
        HubConfig config,
        RouterStore routers,
        SecretBox secretBox,
        RuntimeSettings settings,
        IHostResolver resolver,
        RealtimeStore store,
        ILogger<BroadcastRouter> logger)
    {
        _config = config;
        _routers = routers;
        _secretBox = secretBox;
        _settings = settings;
        _store = store;
        _logger = logger;
        _http = SsrfGuard.CreateGuardedClient(resolver, config.AllowLoopbackRouters);
    }

    /// <summary>The room agents the router picks for <paramref name="content"/>; empty when nobody is meant or anything fails.</summary>
    public async Task<List<RoomAgent>> SelectAsync(RoomDto room, string content, CancellationToken cancellationToken)
    {
        var snapshot = await _settings.GetAsync(cancellationToken);
        if (await ResolveAsync(room, snapshot, cancellationToken) is not { } target)
        {
            return [];
        }

        var candidates = (await _store.ListRoomAgentsAsync(room.Id, cancellationToken)).Where(a => a.ConnectionType != "api").ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        if (candidates.Count > MaxCandidates)
        {
            var words = Tokens(content);
            candidates = candidates
                .OrderByDescending(a => Tokens($"{a.Name} {a.Type} {string.Join(' ', a.Capabilities)}").Count(words.Contains))
                .Take(MaxCandidates)
                .ToList();
        }

        var chosen = await CallAsync(target, room.SystemPrompt, candidates, content, snapshot.SystemRouterTimeout, cancellationToken);
        return candidates.Where(c => chosen.Contains(c.Id)).ToList();
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The room's router, or the system router; null when none applies (no fallback from a broken room router).</summary>
    private async Task<RouterTarget?> ResolveAsync(RoomDto room, SettingsSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (room.RouterId is { } routerId)
        {
            var row = await _routers.FindAsync(routerId, cancellationToken);
            if (row is null || (row.Scope == RouterScopes.Personal && row.CreatedById != room.CreatedById)
                || !_secretBox.TryDecrypt(row.StoredApiKey, out var key))
            {
                return null;
            }

            return new RouterTarget(row.LlmBaseUrl, key, row.LlmModel);
        }

        var baseUrl = snapshot.SystemRouterBaseUrl;
        var apiKey = snapshot.SystemRouterApiKey;
        return baseUrl.Length > 0 && apiKey.Length > 0 ? new RouterTarget(baseUrl, apiKey, snapshot.SystemRouterModel) : null;
    }

    private async Task<HashSet<string>> CallAsync(
        RouterTarget target,
        string? systemPrompt,
        List<RoomAgent> candidates,
        string content,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var breaker = _breakers.GetOrAdd(target.BaseUrl, _ => new Breaker());
        if (!breaker.TryEnter())
        {
            RealtimeLog.RouterCallFailed(_logger, target.BaseUrl, "circuit open");
            return [];
        }

        var request = new RouterChatRequest(
            target.Model, [new("developer", Instructions(systemPrompt)), new("user", Listing(candidates, content))]);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var message = new HttpRequestMessage(HttpMethod.Post, target.BaseUrl.TrimEnd('/') + "/chat/completions")
        {
            Content = JsonContent.Create(request, RouterLlmJson.Default.RouterChatRequest),
        };
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", target.ApiKey);
        string body;
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                breaker.Record(success: false);
                RealtimeLog.RouterCallFailed(_logger, target.BaseUrl, $"HTTP {(int)response.StatusCode}");
                return [];
            }

            body = await ReadLimitedAsync(response, deadline.Token);
        }
        catch (Exception e)
            when (e is HttpRequestException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            breaker.Record(success: false);
            RealtimeLog.RouterCallFailed(_logger, target.BaseUrl, e is OperationCanceledException ? "timeout" : "connection failed");
            return [];
        }

        // A reply that arrived is a working LLM, whatever it said: malformed answers do not open the circuit.
        breaker.Record(success: true);
        return ParseAgentIds(body);
    }

    private static string Instructions(string? systemPrompt)
    {
        var text = """
            You route one chat message to the AI agents of a room. Answer with only a JSON object {"agentIds": [...]}
            listing the ids of the agents that should answer. Include every agent by default; narrow the list only when
            the message clearly addresses particular agents or capabilities; return an empty list only when no agent
            is meant at all.
            """;
        return systemPrompt is { Length: > 0 } ? $"{text}\n\nThe room's own instructions, as context:\n{systemPrompt}" : text;
    }

    private static string Listing(List<RoomAgent> candidates, string content)
    {
        var builder = new StringBuilder("Agents:\n");
        foreach (var agent in candidates)
        {
            builder.Append("- id: ").Append(agent.Id).Append(", name: ").Append(agent.Name).Append(", type: ").Append(agent.Type);
            if (agent.Capabilities.Count > 0)
            {
                builder.Append(", capabilities: ").AppendJoin(", ", agent.Capabilities.Take(10));
            }

            builder.Append('\n');
        }

        return builder.Append("\nMessage:\n\"").Append(content).Append('"').ToString();
    }

    /// <summary>
    /// <c>choices[0].message.content</c> (or <c>reasoning_content</c>), its first balanced JSON object, its <c>agentIds</c>.
    /// </summary>
    public static HashSet<string> ParseAgentIds(string body)
    {
        try
        {
            using var reply = JsonDocument.Parse(body);
            if (!reply.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array
                || choices.GetArrayLength() == 0 || !choices[0].TryGetProperty("message", out var message))
            {
                return [];
            }

            var text = message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
                ? content.GetString()
                : message.TryGetProperty("reasoning_content", out var reasoning) && reasoning.ValueKind == JsonValueKind.String
                    ? reasoning.GetString()
                    : null;
            if (FirstObject(text?.Trim()) is not { } json)
            {
                return [];
            }

            using var answer = JsonDocument.Parse(json);
            if (!answer.RootElement.TryGetProperty("agentIds", out var ids) || ids.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            return ids.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!).ToHashSet();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string? FirstObject(string? text)
    {
        var start = text?.IndexOf('{') ?? -1;
        if (start < 0)
        {
            return null;
        }

        var depth = 0;
        var inString = false;
        for (var i = start; i < text!.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return text[start..(i + 1)];
            }
        }

        return null;
    }

    private static HashSet<string> Tokens(string text)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        var current = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c) || c is >= '\u4e00' and <= '\u9fff')
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    private static async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxReplyBytes)
            {
                throw new HttpRequestException("The LLM reply is too large");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private sealed record RouterTarget(string BaseUrl, string ApiKey, string Model);

    /// <summary>Closed, open for <see cref="OpenFor"/> after <see cref="FailuresToOpen"/> failures, then one half-open probe.</summary>
    private sealed class Breaker
    {
        private readonly Lock _gate = new();
        private int _failures;
        private bool _open;
        private bool _probing;
        private long _openedAt;

        public bool TryEnter()
        {
            lock (_gate)
            {
                if (!_open)
                {
                    return true;
                }

                if (_probing || Stopwatch.GetElapsedTime(_openedAt) < OpenFor)
                {
                    return false;
                }

                _probing = true;
                return true;
            }
        }

        public void Record(bool success)
        {
            lock (_gate)
            {
                _probing = false;
                if (success)
                {
                    _failures = 0;
                    _open = false;
                    return;
                }

                _failures++;
                if (_open || _failures >= FailuresToOpen)
                {
                    _open = true;
                    _openedAt = Stopwatch.GetTimestamp();
                }
            }
        }
    }
}
