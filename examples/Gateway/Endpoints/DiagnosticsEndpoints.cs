using Jeeves.Examples.Gateway.Metrics;
using Jeeves.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Jeeves.Examples.Gateway.Endpoints;

/// <summary><c>/health</c>, <c>/ready</c>, <c>/metrics</c> and <c>/</c> (spec §2.7).</summary>
internal static class DiagnosticsEndpoints
{
    public static void MapDiagnostics(this IEndpointRouteBuilder app, GatewaySettings settings)
    {
        string serviceName = $"{settings.ServiceId}-gateway";
        app.MapGet("/health", () => Results.Json(new { status = "healthy", service = serviceName }));

        app.MapGet("/ready", (HttpContext context) =>
        {
            string flow = context.RequestServices.GetService<GatewayChatService>() is null ? "not_initialized" : "initialized";
            string interrupts = context.RequestServices.GetService<GatewayInterruptService>() is null ? "not_initialized" : "initialized";
            bool ready = flow == "initialized" && interrupts == "initialized";
            return Results.Json(
                new { status = ready ? "ready" : "not_ready", flow_service = flow, interrupt_service = interrupts },
                statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        // Routing ignores a trailing slash, so /metrics/ (the reference's canonical URL) is served too.
        IResult Metrics(PrometheusExporter exporter) => Results.Text(exporter.Scrape(), PrometheusExporter.ContentType);
        app.MapGet("/metrics", Metrics);

        string title = string.Join(' ', settings.ServiceId.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(static w => char.ToUpperInvariant(w[0]) + w[1..])) + " Gateway";
        var index = new
        {
            service = title,
            version = "4.0.0",
            health = "/health",
            ready = "/ready",
            api = new { chat = "/api/v1/chat", governance = "/api/v1/governance", interrupts = "/api/v1/interrupts" },
            // The reference advertised /api/v1/chat/stream/{session_id}; the real route takes query parameters.
            streaming = new { chat_sse = "/api/v1/chat/stream?user_id={user_id}&message={message}&session_id={session_id}" },
            page = "/chat",
            metrics = "/metrics",
        };

        // A browser asking for HTML gets the chat page; API clients get the index (spec §2.7's GET /).
        app.MapGet("/", (HttpContext context) =>
            context.Request.Headers.Accept.Any(static a => a is not null && a.Contains("text/html", StringComparison.OrdinalIgnoreCase))
                ? ChatPage.Result()
                : Results.Json(index));
        app.MapGet("/chat", ChatPage.Result);
    }
}
