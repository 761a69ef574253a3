using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Jeeves.Examples.Gateway.Metrics;

/// <summary>
/// Counts and times every request (spec §8.1: <c>jeeves_http_requests_total</c>, <c>jeeves_http_request_duration_seconds</c>),
/// labelled by method, route template (Q-21: ids do not multiply the series) and status. The duration ends when the
/// response starts, so a stream is timed to its first byte.
/// </summary>
internal sealed class HttpMetricsMiddleware
{
    /// <summary>The gateway's meter.</summary>
    public const string MeterName = "Jeeves.Gateway";

    private static readonly double[] s_buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly RequestDelegate _next;
    private readonly TimeProvider _timeProvider;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public HttpMetricsMiddleware(RequestDelegate next, IMeterFactory meterFactory, TimeProvider timeProvider)
    {
        _next = next;
        _timeProvider = timeProvider;
        Meter meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("jeeves.http.requests", "{request}", "HTTP requests served.");
        _duration = meter.CreateHistogram<double>("jeeves.http.request.duration", "s", "Time until the response started.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_buckets });
    }

    public async Task InvokeAsync(HttpContext context)
    {
        long start = _timeProvider.GetTimestamp();
        double? firstByte = null;
        context.Response.OnStarting(() =>
        {
            firstByte = _timeProvider.GetElapsedTime(start).TotalSeconds;
            return Task.CompletedTask;
        });
        try
        {
            await _next(context);
        }
        finally
        {
            string path = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "/";
            if (!path.StartsWith('/'))
            {
                path = "/" + path;
            }

            var tags = new TagList
            {
                { "method", context.Request.Method },
                { "path", path },
            };
            _duration.Record(firstByte ?? _timeProvider.GetElapsedTime(start).TotalSeconds, tags);
            tags.Add("status_code", context.Response.StatusCode.ToString(CultureInfo.InvariantCulture));
            _requests.Add(1, tags);
        }
    }
}
