using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Jeeves.Examples.Gateway.Http;

/// <summary>
/// Turns an unhandled exception into 500 <c>{"detail": "Internal server error"}</c>: the exception is logged, and the
/// client never sees its text or a stack trace (spec §2.6, Q-6).
/// </summary>
internal sealed partial class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's own refusals (a malformed or oversized request) keep their status, with the API's error body.
            context.Response.Clear();
            context.Response.StatusCode = e.StatusCode;
            await context.Response.WriteAsJsonAsync(new ErrorDetail(e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request"));
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            LogUnhandled(logger, context.Request.Method, context.Request.Path, e);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new ErrorDetail("Internal server error"));
        }
    }

    [LoggerMessage(1, LogLevel.Error, "Unhandled exception in {Method} {Path}.", EventName = "UnhandledException")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception exception);
}
