using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AgentIM.Infrastructure.Http;

/// <summary>A request body read as JSON: either a value, or the contract's error response to return.</summary>
public readonly record struct Body<T>(T? Value, IResult? Problem)
    where T : class;

/// <summary>
/// Reads a JSON request body with source-generated metadata. Malformed JSON answers 400 "Invalid JSON body";
/// a well-formed body with a wrongly typed field answers the contract's validation error naming the field.
/// </summary>
public static class JsonBody
{
    public const int MaxBytes = 1024 * 1024;

    public static async Task<Body<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var stream = request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await stream.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBytes)
            {
                return new Body<T>(null, Api.BodyTooLarge());
            }
        }

        return Parse(buffer.WrittenSpan, typeInfo);
    }

    public static Body<T> Parse<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (!IsWellFormedObject(json))
        {
            return new Body<T>(null, Api.Error(400, Api.InvalidJsonBody));
        }

        try
        {
            var value = JsonSerializer.Deserialize(json, typeInfo);
            return value is null ? new Body<T>(null, Api.Error(400, Api.InvalidJsonBody)) : new Body<T>(value, null);
        }
        catch (JsonException e)
        {
            return new Body<T>(null, Api.Validation(FieldName(e.Path), "Invalid type"));
        }
    }

    /// <summary>Path "$.agent.name" becomes "agent.name"; the root becomes "(root)".</summary>
    private static string FieldName(string? path)
    {
        var field = (path ?? "$").TrimStart('$').TrimStart('.');
        return field.Length == 0 ? "(root)" : field;
    }

    private static bool IsWellFormedObject(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
