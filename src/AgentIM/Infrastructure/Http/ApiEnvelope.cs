using System.Text.Json.Serialization;

namespace AgentIM.Infrastructure.Http;

/// <summary>The contract's success envelope: <c>{ "ok": true, "data": … }</c>.</summary>
public sealed class ApiOk<T>
{
    public bool Ok => true;

    public required T Data { get; init; }
}

/// <summary>Success without data: <c>{ "ok": true }</c>.</summary>
public sealed class ApiDone
{
    public static readonly ApiDone Instance = new();

    public bool Ok => true;
}

/// <summary>The contract's error envelope; <c>fields</c> only for validation errors, <c>errorId</c> only for server faults.</summary>
public sealed class ApiError
{
    public bool Ok => false;

    public required string Error { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<FieldError>? Fields { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorId { get; init; }
}

/// <summary>One validation failure; <c>field</c> is the path joined with dots, <c>(root)</c> for the body itself.</summary>
public sealed record FieldError(string Field, string Message);
