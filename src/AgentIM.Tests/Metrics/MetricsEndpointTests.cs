using System.Globalization;
using System.Text.RegularExpressions;
using AgentIM.Tests.Support;

namespace AgentIM.Tests.Metrics;

/// <summary>GET /api/metrics: the seed's metric names, a well-formed text exposition, bounded labels (case B21).</summary>
public sealed partial class MetricsEndpointTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Metrics_AfterTraffic_ExposesTheSeedNamesInValidTextFormat()
    {
        var alice = await hub.CreateUserAsync("metrics");
        await alice.CreateRoomAsync("m-room");
        await using var client = await WsPeer.ClientAsync(alice);

        using var response = await hub.Http.GetAsync("/api/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString());
        foreach (var name in new[]
        {
            "agentim_ws_client_connections", "agentim_ws_gateway_connections", "agentim_online_users", "agentim_connected_agents",
            "process_uptime_seconds", "process_heap_bytes", "process_rss_bytes", "agentim_messages_total", "agentim_ws_messages_total",
            "agentim_api_errors_total", "agentim_agent_response_duration_seconds", "agentim_http_request_duration_seconds",
            "agentim_active_rooms",
        })
        {
            Assert.Contains($"# TYPE {name} ", text);
        }

        Assert.Matches(@"(?m)^agentim_ws_client_connections [1-9]\d*$", text);
        AssertWellFormed(text);
    }

    [Fact]
    public async Task Metrics_OddAndRandomPaths_CollapseIntoBoundedEscapedLabels()
    {
        foreach (var path in new[] { "/api/x\"y", "/api/a\\b", "/api/%0Anl" })
        {
            using var _ = await hub.Http.GetAsync(path);
        }

        for (var i = 0; i < 300; i++)
        {
            using var _ = await hub.Http.GetAsync($"/api/nope/{Guid.NewGuid()}");
        }

        var text = await hub.Http.GetStringAsync("/api/metrics");
        var paths = PathLabel().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.InRange(paths.Count, 1, 30);
        Assert.Contains("unmatched", paths);
        Assert.DoesNotContain(paths, p => p.Contains("nope", StringComparison.Ordinal));
        AssertWellFormed(text);
    }

    [Fact]
    public async Task Metrics_WithAuthEnabled_RefusesAnonymousScrape()
    {
        var secured = new SecuredHub();
        await secured.InitializeAsync();
        try
        {
            using var anonymous = await secured.Http.GetAsync("/api/metrics");
            var admin = await secured.LoginAdminAsync();
            var (status, _) = await admin.GetAsync("/api/metrics");

            Assert.Equal(401, (int)anonymous.StatusCode);
            Assert.Equal("Unauthorized", await anonymous.Content.ReadAsStringAsync());
            Assert.Equal(200, status);
        }
        finally
        {
            await secured.DisposeAsync();
        }
    }

    /// <summary>
    /// The parts of the format a strict parser checks: one HELP and TYPE per family before its samples, no series
    /// twice, numbers in plain invariant notation, and histograms with cumulative buckets ending in +Inf = _count.
    /// </summary>
    private static void AssertWellFormed(string text)
    {
        var typed = new Dictionary<string, string>();
        var series = new HashSet<string>();
        var histograms = new Dictionary<string, List<(string Le, double Value)>>();
        var counts = new Dictionary<string, double>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.True(typed.TryAdd(parts[2], parts[3]), $"second TYPE for {parts[2]}");
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: {line}");
            var name = match.Groups["name"].Value;
            var labels = match.Groups["labels"].Value;
            var value = match.Groups["value"].Value;
            Assert.True(series.Add(name + labels), $"series twice: {name}{labels}");
            Assert.DoesNotContain("E", value);
            var family = typed.Keys.FirstOrDefault(f => name == f || name.StartsWith(f + "_", StringComparison.Ordinal));
            Assert.True(family is not null, $"sample before its TYPE: {line}");
            if (typed[family!] == "histogram")
            {
                var key = family + LeLabel().Replace(labels, "")
                    .Replace("{,", "{", StringComparison.Ordinal).Replace("{}", "", StringComparison.Ordinal);
                if (name.EndsWith("_bucket", StringComparison.Ordinal))
                {
                    var le = LeLabel().Match(labels).Groups[1].Value;
                    if (!histograms.TryGetValue(key, out var buckets))
                    {
                        histograms[key] = buckets = [];
                    }

                    buckets.Add((le, double.Parse(value, CultureInfo.InvariantCulture)));
                }
                else if (name.EndsWith("_count", StringComparison.Ordinal))
                {
                    counts[key] = double.Parse(value, CultureInfo.InvariantCulture);
                }
            }
        }

        foreach (var (key, buckets) in histograms)
        {
            Assert.Equal("+Inf", buckets[^1].Le);
            for (var i = 1; i < buckets.Count; i++)
            {
                Assert.True(buckets[i].Value >= buckets[i - 1].Value, $"buckets decrease in {key}");
                if (buckets[i].Le != "+Inf")
                {
                    Assert.True(double.Parse(buckets[i].Le, CultureInfo.InvariantCulture)
                        > double.Parse(buckets[i - 1].Le, CultureInfo.InvariantCulture));
                }
            }

            Assert.Equal(counts[key], buckets[^1].Value);
        }
    }

    [GeneratedRegex(
        @"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{(?:[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\\n]|\\[\\""n])*"",?)*\})?"
        + @" (?<value>[-+0-9.eE]+|\+Inf|NaN)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@",?le=""([^""]*)""")]
    private static partial Regex LeLabel();

    [GeneratedRegex(@"path=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex PathLabel();

    private sealed class SecuredHub : HubFixture
    {
        protected override IReadOnlyDictionary<string, string> Overrides =>
            new Dictionary<string, string> { ["METRICS_AUTH_ENABLED"] = "true" };
    }
}
