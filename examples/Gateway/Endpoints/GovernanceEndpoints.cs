using Jeeves.Examples.Gateway.Http;
using Jeeves.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Jeeves.Examples.Gateway.Endpoints;

/// <summary>The governance endpoints under <c>/api/v1/governance</c> (spec §2.10, the health-servicer variant).</summary>
internal static class GovernanceEndpoints
{
    private const string NotConfigured = "Health service not configured";

    public static void MapGovernance(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/api/v1/governance");

        group.MapGet("/dashboard", async (HttpContext context) =>
            context.RequestServices.GetService<GatewayGovernanceService>() is { } service
                ? ApiResults.Map(await service.GetDashboardAsync(context.RequestAborted))
                : ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured));

        group.MapGet("/health", async (HttpContext context) =>
            context.RequestServices.GetService<GatewayGovernanceService>() is { } service
                ? ApiResults.Map(await service.GetHealthSummaryAsync(context.RequestAborted))
                : ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured));

        group.MapGet("/tools/{tool_name}", async (HttpContext context, string tool_name) =>
            context.RequestServices.GetService<GatewayGovernanceService>() is { } service
                ? ApiResults.Map(await service.GetToolHealthAsync(tool_name, context.RequestAborted))
                : ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured));
    }
}
