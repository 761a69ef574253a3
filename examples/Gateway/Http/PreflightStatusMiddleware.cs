using Microsoft.AspNetCore.Http;

namespace Jeeves.Examples.Gateway.Http;

/// <summary>
/// Answers an accepted CORS preflight with 200 rather than ASP.NET Core's 204, as the reference does (spec Q-19).
/// </summary>
internal sealed class PreflightStatusMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (HttpMethods.IsOptions(request.Method) && request.Headers.Origin.Count > 0 && request.Headers.AccessControlRequestMethod.Count > 0)
        {
            context.Response.OnStarting(static state =>
            {
                var response = (HttpResponse)state;
                if (response.StatusCode == StatusCodes.Status204NoContent && response.Headers.AccessControlAllowOrigin.Count > 0)
                {
                    response.StatusCode = StatusCodes.Status200OK;
                }

                return Task.CompletedTask;
            }, context.Response);
        }

        return next(context);
    }
}
