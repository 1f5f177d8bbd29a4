using System.Net.Http.Json;
using System.Text;
using AgentIM.Settings;
using AgentIM.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentIM.Tests.Http;

/// <summary>Requests with chosen headers (origins, forwarded-for) and direct settings changes for the HTTP edge tests.</summary>
public static class RawHttp
{
    public static async Task<HttpResponseMessage> SendAsync(
        HubFixture hub, HttpMethod method, string path, object? json = null, string? token = null,
        params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is string text)
        {
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        else if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await hub.Http.SendAsync(request);
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : null;

    /// <summary>Changes settings in-process, as an admin would through the API, without spending requests on it.</summary>
    public static async Task SetAsync(HubFixture hub, params (string Key, string? Value)[] changes)
    {
        var settings = hub.Services.GetRequiredService<RuntimeSettings>();
        var result = await settings.ChangeAsync(
            changes.Select(c => new KeyValuePair<string, string?>(c.Key, c.Value)).ToList(), null, default);
        Assert.Empty(result.Errors);
    }
}
