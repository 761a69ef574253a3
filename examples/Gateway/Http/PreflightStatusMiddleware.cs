using Microsoft.AspNetCore.Http;

namespace Jeeves.Examples.Gateway.Http;

/// <summary>
/// Makes CORS answers match the reference (spec §2.3, Q-19): an accepted preflight gets 200 rather than ASP.NET Core's
/// 204, and every response that grants an origin says <c>Vary: Origin</c>, so caches never hand one origin's answer to
/// another.
/// </summary>
internal sealed class PreflightStatusMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (request.Headers.Origin.Count > 0)
        {
            bool preflight = HttpMethods.IsOptions(request.Method) && request.Headers.AccessControlRequestMethod.Count > 0;
            context.Response.OnStarting(state =>
            {
                var response = (HttpResponse)state;
                if (response.Headers.AccessControlAllowOrigin.Count == 0)
                {
                    return Task.CompletedTask;
                }

                if (preflight && response.StatusCode == StatusCodes.Status204NoContent)
                {
                    response.StatusCode = StatusCodes.Status200OK;
                }

                if (!response.Headers.Vary.Any(static v => v is not null && v.Contains("Origin", StringComparison.OrdinalIgnoreCase)))
                {
                    response.Headers.Append("Vary", "Origin");
                }

                return Task.CompletedTask;
            }, context.Response);
        }

        return next(context);
    }
}
