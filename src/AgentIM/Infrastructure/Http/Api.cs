using System.Text.Json.Serialization.Metadata;
using AgentIM.Infrastructure.Json;

namespace AgentIM.Infrastructure.Http;

/// <summary>Builds responses in the contract's envelope with source-generated JSON only.</summary>
public static class Api
{
    public const string ValidationFailed = "Validation failed";
    public const string InvalidJsonBody = "Invalid JSON body";
    public const string Unauthorized = "Unauthorized";
    public const string AdminRequired = "Admin access required";
    public const string TooManyRequests = "Too many requests";
    public const string InternalError = "Internal server error";
    public const string Unavailable = "Service temporarily unavailable";

    public static IResult Ok<T>(T data, JsonTypeInfo<ApiOk<T>> typeInfo, int statusCode = StatusCodes.Status200OK) =>
        Results.Json(new ApiOk<T> { Data = data }, typeInfo, statusCode: statusCode);

    public static IResult Done() => Results.Json(ApiDone.Instance, ApiJson.Default.ApiDone);

    public static IResult Error(int statusCode, string message) =>
        Results.Json(new ApiError { Error = message }, ApiJson.Default.ApiError, statusCode: statusCode);

    /// <summary>
    /// A body over its limit (rest-api.md §0: 413 with an <c>errorId</c>, as the contract's error path renders it; our
    /// message says what happened instead of "Internal server error").
    /// </summary>
    public static ApiError BodyTooLargeError() => new() { Error = "Request body too large", ErrorId = Ids.New(12) };

    public static IResult BodyTooLarge() =>
        Results.Json(BodyTooLargeError(), ApiJson.Default.ApiError, statusCode: StatusCodes.Status413PayloadTooLarge);

    public static IResult Validation(IReadOnlyList<FieldError> fields) =>
        Results.Json(new ApiError { Error = ValidationFailed, Fields = fields }, ApiJson.Default.ApiError, statusCode: 400);

    public static IResult Validation(string field, string message) => Validation([new FieldError(field, message)]);

    public static IResult InvalidParameter(string name) => Error(400, $"Invalid parameter: {name}");

    public static IResult NotFound(string message) => Error(404, message);

    public static IResult Forbidden(string message) => Error(403, message);
}
