using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AgentIM.Audit;

/// <summary>
/// The <c>metadata</c> of one audit row, written with <see cref="Utf8JsonWriter"/> (no reflection). A document over
/// <see cref="MaxChars"/> characters is replaced by <c>{"_truncated":true,"_originalSize":n}</c> (data-model.md §2.19).
/// </summary>
public sealed class AuditMetadata
{
    public const int MaxChars = 4096;

    private readonly List<(string Name, object? Value)> _entries = [];

    public AuditMetadata Add(string name, string? value)
    {
        _entries.Add((name, value));
        return this;
    }

    public AuditMetadata Add(string name, long value)
    {
        _entries.Add((name, value));
        return this;
    }

    public AuditMetadata Add(string name, bool value)
    {
        _entries.Add((name, value));
        return this;
    }

    public AuditMetadata Add(string name, IEnumerable<string> values)
    {
        _entries.Add((name, values.ToList()));
        return this;
    }

    public string ToJson()
    {
        var json = Write(_entries);
        if (json.Length <= MaxChars)
        {
            return json;
        }

        return Write([("_truncated", true), ("_originalSize", (long)json.Length)]);
    }

    private static string Write(IReadOnlyList<(string Name, object? Value)> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in entries)
            {
                switch (value)
                {
                    case null:
                        writer.WriteNull(name);
                        break;
                    case string text:
                        writer.WriteString(name, text);
                        break;
                    case long number:
                        writer.WriteNumber(name, number);
                        break;
                    case bool flag:
                        writer.WriteBoolean(name, flag);
                        break;
                    case List<string> list:
                        writer.WriteStartArray(name);
                        foreach (var item in list)
                        {
                            writer.WriteStringValue(item);
                        }

                        writer.WriteEndArray();
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
