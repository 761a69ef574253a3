using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jeeves.Examples.Gateway.Http;

/// <summary>
/// Checks every API request against the kernel's per-user rate limiter (spec §2.5, with Q-18's fixes): 429 with
/// <c>Retry-After</c> when refused, 503 (fail closed) when the limiter cannot be asked. Only <c>/api/</c> paths are
/// limited, so health probes, metrics scrapes and the page itself are never refused.
/// </summary>
internal sealed partial class RateLimitMiddleware(RequestDelegate next, TimeProvider timeProvider, ILogger<RateLimitMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        IKernelClient? kernel = context.RequestServices.GetService<IKernelClient>();
        if (kernel is null || !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        string user = Identify(context);
        RateLimitDecision decision;
        try
        {
            decision = await kernel.Kernel.CheckRateLimitAsync(new UserId(user), record: true, context.RequestAborted);
        }
        catch (KernelException e)
        {
            LogCheckFailed(logger, user, context.Request.Path, e);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            await context.Response.WriteAsJsonAsync(new { error = "rate_limit_unavailable", detail = "Rate limiting service is unavailable" });
            return;
        }

        if (decision.Allowed)
        {
            await next(context);
            return;
        }

        int retryAfter = (int)Math.Ceiling(decision.RetryAfter.TotalSeconds);
        LogExceeded(logger, user, context.Request.Path, retryAfter);
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = "0";
        response.Headers["X-RateLimit-Reset"] = timeProvider.GetUtcNow().AddSeconds(retryAfter).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (retryAfter > 0)
        {
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        await response.WriteAsJsonAsync(new
        {
            error = "rate_limit_exceeded",
            detail = "Rate limit exceeded",
            limit_type = decision.LimitType is { } w ? WireNames.ToWire(w) : null,
            retry_after_seconds = retryAfter,
        });
    }

    /// <summary>The caller: the authenticated user, else <c>X-User-ID</c>, else the <c>user_id</c> query parameter, else the client address.</summary>
    internal static string Identify(HttpContext context)
    {
        if (context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name })
        {
            return name;
        }

        string? header = context.Request.Headers["X-User-ID"];
        if (!string.IsNullOrEmpty(header))
        {
            return header;
        }

        string? query = context.Request.Query["user_id"];
        if (!string.IsNullOrEmpty(query))
        {
            return query;
        }

        return context.Connection.RemoteIpAddress?.ToString() ?? "anonymous";
    }

    [LoggerMessage(20, LogLevel.Warning, "Rate limit check failed for {UserId} on {Endpoint}; refusing the request.", EventName = "RateLimitCheckFailed")]
    private static partial void LogCheckFailed(ILogger logger, string userId, PathString endpoint, Exception exception);

    [LoggerMessage(21, LogLevel.Warning, "Rate limit exceeded for {UserId} on {Endpoint} (retry in {RetryAfterSeconds}s).", EventName = "RateLimitExceeded")]
    private static partial void LogExceeded(ILogger logger, string userId, PathString endpoint, int retryAfterSeconds);
}
