using AgentIM.Infrastructure.Config;
using AgentIM.Infrastructure.Db;
using AgentIM.Infrastructure.Json;
using AgentIM.Metrics;

namespace AgentIM.Infrastructure.Http;

/// <summary>
/// Turns what escapes a handler into the contract's envelope: a database outage is a quick 503 the client may
/// retry (case B23), a malformed request its 4xx, anything else a 500 with an error id. Details go to the log,
/// never to the response in production.
/// </summary>
public sealed class ErrorHandling(RequestDelegate next, HubConfig config, HubMetrics metrics, ILogger<ErrorHandling> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            await WriteAsync(context, e);
        }
    }

    private async Task WriteAsync(HttpContext context, Exception exception)
    {
        ApiError error;
        int status;
        if (DbErrors.IsUnavailable(exception))
        {
            status = StatusCodes.Status503ServiceUnavailable;
            error = new ApiError { Error = Api.Unavailable };
            HttpLog.DatabaseUnavailable(logger, context.Request.Path, exception);
        }
        else if (exception is BadHttpRequestException bad)
        {
            status = bad.StatusCode;
            error = bad.StatusCode == 413 ? Api.BodyTooLargeError() : new ApiError { Error = "Bad request" };
        }
        else
        {
            status = StatusCodes.Status500InternalServerError;
            var errorId = Ids.New(12);
            error = new ApiError { Error = config.IsProduction ? Api.InternalError : exception.Message, ErrorId = errorId };
            HttpLog.Unhandled(logger, errorId, context.Request.Path, exception);
        }

        if (status >= 500)
        {
            metrics.ApiError();
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(error, ApiJson.Default.ApiError, cancellationToken: context.RequestAborted);
    }
}

internal static partial class HttpLog
{
    [LoggerMessage(EventId = 9101, EventName = "UnhandledRequestError", Level = LogLevel.Error,
        Message = "Request {Path} failed with error id {ErrorId}")]
    public static partial void Unhandled(ILogger logger, string errorId, string path, Exception exception);

    [LoggerMessage(EventId = 9102, EventName = "DatabaseUnavailable", Level = LogLevel.Warning,
        Message = "Request {Path} answered 503: the database is unavailable")]
    public static partial void DatabaseUnavailable(ILogger logger, string path, Exception exception);
}
