using System.Text.Json.Serialization.Metadata;
using AgentIM.Infrastructure.Http;
using AgentIM.Realtime;

namespace AgentIM.Messages;

/// <summary>
/// Reads a JSON body that carries message text. Browsers send a lone surrogate as a <c>\uD83D</c> escape, which the
/// JSON reader refuses; such escapes become U+FFFD first, so REST cleans broken text exactly as the client socket
/// does instead of refusing it (case B17).
/// </summary>
public static class MessageTextBody
{
    public static async Task<Body<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > JsonBody.MaxBytes)
            {
                return new Body<T>(null, Api.BodyTooLarge());
            }
        }

        var json = FrameInspector.ReplaceLoneSurrogateEscapes(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        return JsonBody.Parse(json.Span, typeInfo);
    }
}
