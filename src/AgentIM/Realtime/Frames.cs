using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AgentIM.Realtime;

/// <summary>Serializes a frame once, to bytes every receiving socket shares.</summary>
public static class Frames
{
    public static byte[] Serialize<T>(T frame, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(frame, typeInfo);

    public static byte[] Error(string code, string message) => Serialize(new ErrorFrame(code, message), WireJson.Default.ErrorFrame);

    /// <summary>Parses a frame already checked by <see cref="FrameInspector"/>; null when a field has the wrong type.</summary>
    public static T? Parse<T>(ReadOnlySpan<byte> frame, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(frame, typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
