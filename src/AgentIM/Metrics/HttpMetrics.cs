using System.Collections.Concurrent;
using System.Diagnostics;

namespace AgentIM.Metrics;

/// <summary>
/// Times every HTTP request into <c>agentim_http_request_duration_seconds{method,path}</c>. The path label is the
/// matched route template (<c>/api/rooms/{id}</c>), never the raw path, and anything that matched no route is
/// "unmatched": label values are bounded by the route table however many odd URLs arrive (case B21).
/// </summary>
public sealed class HttpMetrics
{
    public static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly ConcurrentDictionary<(string Method, string Path), Histogram> _byRoute = new();

    public IEnumerable<KeyValuePair<(string Method, string Path), Histogram>> Routes => _byRoute;

    public void Observe(string method, string path, double seconds) =>
        _byRoute.GetOrAdd((method, path), static _ => new Histogram(Buckets)).Observe(seconds);

    public sealed class Middleware(RequestDelegate next, HttpMetrics metrics)
    {
        private static readonly string[] KnownMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

        public async Task InvokeAsync(HttpContext context)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                // WebSocket upgrades live for hours; they are counted as connections, not as requests.
                if (!context.WebSockets.IsWebSocketRequest)
                {
                    var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
                    var path = route is null || route.Contains("{**", StringComparison.Ordinal) ? "unmatched" : route;
                    var method = KnownMethods.Contains(context.Request.Method) ? context.Request.Method : "OTHER";
                    metrics.Observe(method, path, Stopwatch.GetElapsedTime(started).TotalSeconds);
                }
            }
        }
    }
}
