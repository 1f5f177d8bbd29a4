using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentIM.Tests.Realtime;

/// <summary>
/// A tiny OpenAI-compatible chat server on 127.0.0.1 that the test starts and stops: it records every request
/// (body and Authorization header) and answers with whatever the test set in <see cref="Reply"/>.
/// </summary>
public sealed class FakeLlm : IAsyncDisposable
{
    private WebApplication _app = null!;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<(JsonObject Body, string? Authorization)> Requests { get; } = new();

    /// <summary>Status, body and delay of the next answers.</summary>
    public (int Status, string Body, TimeSpan Delay) Reply { get; set; } = (200, Answer("[]"), TimeSpan.Zero);

    public static async Task<FakeLlm> StartAsync()
    {
        var fake = new FakeLlm();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        fake._app = builder.Build();
        fake._app.MapPost("/v1/chat/completions", fake.HandleAsync);
        await fake._app.StartAsync();
        var address = fake._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = address.TrimEnd('/') + "/v1";
        return fake;
    }

    /// <summary>A chat completion whose message content is some prose around <c>{"agentIds": ids}</c>.</summary>
    public static string Answer(string idsJson) =>
        new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject
            {
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = $"Here you go: {{\"agentIds\": {idsJson}}} (done)" },
            }),
        }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        Requests.Enqueue((body!.AsObject(), context.Request.Headers.Authorization.ToString()));
        var (status, text, delay) = Reply;
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(text);
    }
}
