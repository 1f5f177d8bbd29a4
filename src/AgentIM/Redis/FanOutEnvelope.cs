using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AgentIM.Redis;

/// <summary>
/// One fan-out payload (websocket.md §14): <c>{n: nodeId, d: frame, a?: agentId, u?: userId, r?: roomId, c?: control,
/// s?: sessionId, t?: revokedAtMs}</c>. The frame travels as embedded JSON, not as a string, so its bytes are copied, never escaped
/// and parsed twice; a string <c>d</c> is still accepted. Field names are stable between hub versions.
/// </summary>
public readonly record struct FanOutEnvelope(
    string Node, ReadOnlyMemory<byte> Frame, string? Agent = null, string? User = null, string? Room = null, string? Control = null,
    string? Session = null, long At = 0)
{
    public byte[] Write()
    {
        var buffer = new ArrayBufferWriter<byte>(Frame.Length + 128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("n"u8, Node);
            WriteOptional(writer, "a"u8, Agent);
            WriteOptional(writer, "u"u8, User);
            WriteOptional(writer, "r"u8, Room);
            WriteOptional(writer, "c"u8, Control);
            WriteOptional(writer, "s"u8, Session);
            if (At > 0)
            {
                writer.WriteNumber("t"u8, At);
            }

            writer.WritePropertyName("d"u8);
            if (Frame.IsEmpty)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteRawValue(Frame.Span, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a payload; null when it is not one of ours.</summary>
    public static FanOutEnvelope? Read(byte[] payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? node = null, agent = null, user = null, room = null, control = null, session = null;
            long at = 0;
            ReadOnlyMemory<byte> frame = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan.Length == 1 ? (char)reader.ValueSpan[0] : '?';
                reader.Read();
                switch (name)
                {
                    case 'd' when reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        frame = payload.AsMemory(start, (int)reader.BytesConsumed - start);
                        break;
                    case 'd' when reader.TokenType == JsonTokenType.String:
                        frame = Encoding.UTF8.GetBytes(reader.GetString()!);
                        break;
                    case 'n':
                        node = reader.GetString();
                        break;
                    case 'a':
                        agent = reader.GetString();
                        break;
                    case 'u':
                        user = reader.GetString();
                        break;
                    case 'r':
                        room = reader.GetString();
                        break;
                    case 'c':
                        control = reader.GetString();
                        break;
                    case 's':
                        session = reader.GetString();
                        break;
                    case 't':
                        at = reader.GetInt64();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return node is null ? null : new FanOutEnvelope(node, frame, agent, user, room, control, session, at);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
