namespace AgentIM.Infrastructure;

/// <summary>
/// The hub's notion of "now": UTC truncated to whole milliseconds, so what is stored equals what is
/// serialized (ISO-8601 with .fff) and cursors built from serialized times neither skip nor repeat rows (case B20).
/// </summary>
public static class Clock
{
    public static DateTime UtcNow() => Truncate(DateTime.UtcNow);

    public static DateTime Truncate(DateTime value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    public static long ToUnixMs(DateTime value) =>
        new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}
