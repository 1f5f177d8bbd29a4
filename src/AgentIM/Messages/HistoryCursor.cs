using System.Buffers.Text;
using System.Globalization;
using System.Text;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Messages;

/// <summary>A position in a room's history: a timestamp, and the id that breaks ties when there is one.</summary>
public readonly record struct HistoryPosition(DateTime CreatedAt, string? Id);

/// <summary>
/// The history cursor is opaque to clients: base64url of "unix-microseconds:id". Ordering is createdAt then id, so rows
/// that share a timestamp are neither skipped nor repeated across pages (case B01). Microseconds, not the wire's
/// milliseconds: the hub stores whole milliseconds, but rows from other writers may be finer, and a cursor coarser
/// than the column would skip them (case B20). A bare timestamp (upstream's cursor, or a message's createdAt) is
/// accepted too and means "strictly before / after that instant".
/// </summary>
public static class HistoryCursor
{
    private static readonly long MaxMicroseconds = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    public static string Encode(DateTime createdAt, string id)
    {
        var micros = (DateTime.SpecifyKind(createdAt, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{micros.ToString(CultureInfo.InvariantCulture)}:{id}"));
    }

    public static bool TryDecode(string? text, out HistoryPosition position)
    {
        position = default;
        if (string.IsNullOrEmpty(text) || text.Length > 200)
        {
            return false;
        }

        if (UtcTimestampConverter.TryParse(text, out var instant) && text.Contains('-'))
        {
            position = new HistoryPosition(instant, null);
            return true;
        }

        if (!Base64Url.IsValid(text))
        {
            return false;
        }

        var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
        var colon = decoded.IndexOf(':');
        if (colon <= 0 || colon == decoded.Length - 1
            || !long.TryParse(decoded.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            || micros > MaxMicroseconds)
        {
            return false;
        }

        position = new HistoryPosition(DateTime.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond), decoded[(colon + 1)..]);
        return true;
    }
}
