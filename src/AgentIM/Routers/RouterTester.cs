using System.Text.Json.Serialization;

namespace AgentIM.Routers;

/// <summary>The probe <c>POST /:id/test</c> sends: one short user message, five tokens at most.</summary>
public sealed record ChatProbe(
    string Model,
    IReadOnlyList<ChatProbeMessage> Messages,
    [property: JsonPropertyName("max_tokens")] int MaxTokens);

public sealed record ChatProbeMessage(string Role, string Content);

/// <summary>What a probe found; <see cref="Error"/> is one of the contract's texts (rest-api.md #71).</summary>
public readonly record struct RouterProbeOutcome(bool Success, string? Error);

/// <summary>
/// Calls a router's <c>/chat/completions</c> once (rest-api.md #71): 10 s timeout, no redirects, no proxy. Every
/// connection re-checks the addresses it is about to use, so a name that passed the guard at creation but now
/// resolves inward (DNS rebinding) is refused at connect time.
/// </summary>
public sealed class RouterTester : IDisposable
{
    public const string TimeoutError = "Connection timeout (10s)";
    public const string ConnectionFailed = "Connection failed";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;

    public RouterTester(IHostResolver resolver)
    {
        _http = SsrfGuard.CreateGuardedClient(resolver, allowLoopback: false);
    }

    public async Task<RouterProbeOutcome> ProbeAsync(string baseUrl, string apiKey, string model, CancellationToken cancellationToken)
    {
        var probe = new ChatProbe(model, [new ChatProbeMessage("user", "Hello")], 5);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl.TrimEnd('/') + "/chat/completions")
        {
            Content = JsonContent.Create(probe, RoutersJson.Default.ChatProbe),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 300
                ? new RouterProbeOutcome(true, null)
                : new RouterProbeOutcome(false, $"LLM API returned HTTP {status}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RouterProbeOutcome(false, TimeoutError);
        }
        catch (HttpRequestException)
        {
            return new RouterProbeOutcome(false, ConnectionFailed);
        }
    }

    public void Dispose() => _http.Dispose();

}
