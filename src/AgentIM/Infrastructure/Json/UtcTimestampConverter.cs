using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentIM.Infrastructure.Json;

/// <summary>
/// Every timestamp on the wire is ISO-8601 UTC with exactly three fractional digits, like JavaScript's
/// toISOString (decisions.md). Input accepts any ISO-8601 form with an offset.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTime>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string ToWire(DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToUniversalTime().ToString(Format, CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateTime value)
    {
        if (text is not null && DateTimeOffset.TryParse(text.Replace(' ', 'T'), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed.UtcDateTime;
            return true;
        }

        value = default;
        return false;
    }

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TryParse(reader.GetString(), out var value) ? value : throw new JsonException("Invalid ISO-8601 timestamp");

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        Span<char> buffer = stackalloc char[24];
        DateTime.SpecifyKind(value, DateTimeKind.Utc).TryFormat(buffer, out var written, Format, CultureInfo.InvariantCulture);
        writer.WriteStringValue(buffer[..written]);
    }
}
