using System.Collections.Concurrent;
using AgentIM.Redis;

namespace AgentIM.Infrastructure.Http;

/// <summary>What one hit on a limiter decided.</summary>
public readonly record struct RateLimitDecision(bool Allowed, int Remaining, TimeSpan RetryAfter);

/// <summary>
/// In-process fixed-window counters (behaviour.md §7): a window starts at the first hit of a key and lasts the
/// bucket's window. At most <see cref="MaxKeys"/> keys are kept; expired windows go first, then the oldest.
/// With Redis the counters are shared by every node (<c>rl:&lt;bucket&gt;:&lt;identity&gt;:&lt;windowSec&gt;</c>, one script
/// round trip); while Redis is away each node counts alone with the limit halved (behaviour.md §7).
/// </summary>
public sealed class RateLimitCounters(SharedCounters shared)
{
    public const int MaxKeys = 10_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public async ValueTask<RateLimitDecision> HitAsync(string key, int max, TimeSpan window)
    {
        if (await shared.HitAsync("rl:" + key, window) is { } hit)
        {
            return new RateLimitDecision(hit.Count <= max, (int)Math.Max(0, max - hit.Count), hit.Remaining);
        }

        return Hit(key, shared.IsConfigured ? Math.Max(1, max / 2) : max, window);
    }

    public RateLimitDecision Hit(string key, int max, TimeSpan window)
    {
        var now = Environment.TickCount64;
        if (_windows.Count >= MaxKeys && !_windows.ContainsKey(key))
        {
            Sweep(now);
        }

        var entry = _windows.GetOrAdd(key, static (_, start) => new Window(start), now);
        lock (entry)
        {
            if (now >= entry.EndsAt)
            {
                entry.Count = 0;
                entry.EndsAt = now + (long)window.TotalMilliseconds;
            }

            entry.Count++;
            return new RateLimitDecision(entry.Count <= max, Math.Max(0, max - entry.Count), TimeSpan.FromMilliseconds(entry.EndsAt - now));
        }
    }

    private void Sweep(long now)
    {
        foreach (var (key, window) in _windows)
        {
            if (now >= window.EndsAt)
            {
                _windows.TryRemove(key, out _);
            }
        }

        var excess = _windows.Count - (MaxKeys * 9 / 10);
        if (excess > 0)
        {
            foreach (var (key, _) in _windows.OrderBy(pair => pair.Value.EndsAt).Take(excess).ToList())
            {
                _windows.TryRemove(key, out _);
            }
        }
    }

    private sealed class Window(long start)
    {
        public long EndsAt { get; set; } = start;

        public int Count { get; set; }
    }
}
