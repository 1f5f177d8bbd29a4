namespace AgentIM.Infrastructure.Http;

/// <summary>
/// HEAD on the API is answered as GET would be, without the body (RFC 9110 §9.3.2): monitors and load balancers probe
/// <c>/api/health</c> that way. The routes are mapped for GET only, so the method is rewritten before routing; Kestrel
/// keeps the method it parsed from the request line, so it still sends no body. <c>/uploads</c> and the web app answer
/// HEAD themselves.
/// </summary>
public sealed class HeadRequests(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsHead(context.Request.Method) && context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            context.Request.Method = HttpMethods.Get;
        }

        return next(context);
    }
}
