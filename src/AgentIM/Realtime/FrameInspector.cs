using System.Text.Json;

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
}
