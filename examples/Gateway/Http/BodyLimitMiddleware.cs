using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Jeeves.Examples.Gateway.Http;

/// <summary>
/// Refuses request bodies over the limit with 413 and a JSON body (spec §2.4). A declared <c>Content-Length</c> over the
/// limit is refused before reading; a body without one (chunked) is read up to the limit and refused the moment it
/// passes it. A body of exactly the limit is accepted.
/// </summary>
internal sealed class BodyLimitMiddleware(RequestDelegate next, GatewaySettings settings)
{
    public async Task InvokeAsync(HttpContext context)
    {
        long max = settings.MaxRequestBodyBytes;
        HttpRequest request = context.Request;
        if (request.ContentLength is long declared)
        {
            if (declared > max)
            {
                await RefuseAsync(context, max);
                return;
            }
        }
        else if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            // Bodies are small (1 MB by default), so reading one into memory to count it is cheap and exact. This
            // middleware does the counting, so Kestrel's own limit is lifted for this request.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }

            var buffer = new MemoryStream();
            byte[] chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    await RefuseAsync(context, max);
                    return;
                }

                buffer.Write(chunk, 0, read);
            }

            buffer.Position = 0;
            request.Body = buffer;
            request.ContentLength = buffer.Length;
        }

        await next(context);
    }

    private static Task RefuseAsync(HttpContext context, long max)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        return context.Response.WriteAsJsonAsync(new { error = "request_too_large", detail = $"Request body exceeds {max} bytes", max_bytes = max });
    }
}
