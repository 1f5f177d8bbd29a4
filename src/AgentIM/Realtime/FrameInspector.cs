using System.Text.Json;
using System.Text.Unicode;

namespace AgentIM.Realtime;

public enum FrameShape
{
    Ok,
    InvalidJson,
    TooDeep,
    TooWide,
}

/// <summary>
/// Checks a frame before any object is built from it: well-formed JSON, an object at the root, no value deeper than
/// 15 (the root is depth 0) and at most 1,000 members per array or object (websocket.md §2.1 steps 2–3). It walks the
/// bytes once with a forward-only reader and stops at the first violation, so a 60,000-deep frame costs neither
/// recursion nor allocation (case B16). On the way it picks up the top-level "type" string.
/// </summary>
public static class FrameInspector
{
    public const int MaxDepth = 15;
    public const int MaxMembers = 1000;

    public static FrameShape Inspect(ReadOnlySpan<byte> frame, out string? type)
    {
        type = null;

        // JSON text is UTF-8; a binary frame may carry anything, and the reader would only notice in GetString.
        if (!Utf8.IsValid(frame))
        {
            return FrameShape.InvalidJson;
        }

        Span<int> members = stackalloc int[MaxDepth + 1];
        Span<bool> inArray = stackalloc bool[MaxDepth + 1];
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameShape.InvalidJson;
            }

            var depth = 0;
            var expectType = false;
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token == JsonTokenType.PropertyName)
                {
                    expectType = depth == 0 && reader.ValueTextEquals("type"u8);
                    if (++members[depth] > MaxMembers)
                    {
                        return FrameShape.TooWide;
                    }

                    continue;
                }

                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    depth--;
                    expectType = false;
                    continue;
                }

                // A value (scalar or container) inside the container at `depth` sits at depth + 1.
                if (depth + 1 > MaxDepth)
                {
                    return FrameShape.TooDeep;
                }

                if (inArray[depth] && ++members[depth] > MaxMembers)
                {
                    return FrameShape.TooWide;
                }

                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    depth++;
                    members[depth] = 0;
                    inArray[depth] = token == JsonTokenType.StartArray;
                }
                else if (expectType && token == JsonTokenType.String)
                {
                    type = reader.GetString();
                }

                expectType = false;
            }

            return depth == -1 ? FrameShape.Ok : FrameShape.InvalidJson;
        }
        catch (JsonException)
        {
            return FrameShape.InvalidJson;
        }
    }

    /// <summary>
    /// Rewrites every <c>\uXXXX</c> escape of an unpaired UTF-16 surrogate to <c>\uFFFD</c>. JavaScript peers send
    /// such escapes for broken text (JSON.stringify of a lone surrogate); the JSON reader refuses them, which would
    /// turn a message with one bad character into an error or, on the gateway, a silently lost reply. Replacing them
    /// here cleans them the same way <see cref="Messages.ContentSanitizer.CleanCodeUnits"/> cleans everything else
    /// (case B17). The replacement has the same length; the frame is copied only when something is replaced.
    /// </summary>
    public static ReadOnlyMemory<byte> ReplaceLoneSurrogateEscapes(ReadOnlyMemory<byte> frame)
    {
        var span = frame.Span;
        byte[]? repaired = null;
        var i = span.IndexOf((byte)'\\');
        if (i < 0)
        {
            return frame;
        }

        while (i < span.Length - 1)
        {
            if (span[i] != '\\')
            {
                i++;
                continue;
            }

            if (span[i + 1] != 'u' || !TryReadUnit(span, i, out var unit))
            {
                // Any other escape is two bytes long; skipping both keeps "\\u…" from reading as an escape.
                i += 2;
                continue;
            }

            if (char.IsHighSurrogate(unit) && TryReadUnit(span, i + 6, out var next) && char.IsLowSurrogate(next))
            {
                i += 12;
                continue;
            }

            if (char.IsSurrogate(unit))
            {
                repaired ??= span.ToArray();
                "\\uFFFD"u8.CopyTo(repaired.AsSpan(i));
            }

            i += 6;
        }

        return repaired ?? frame;
    }

    private static bool TryReadUnit(ReadOnlySpan<byte> span, int at, out char unit)
    {
        unit = default;
        if (at + 6 > span.Length || span[at] != '\\' || span[at + 1] != 'u')
        {
            return false;
        }

        var value = 0;
        foreach (var b in span.Slice(at + 2, 4))
        {
            var digit = HexDigit(b);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        unit = (char)value;
        return true;
    }

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
