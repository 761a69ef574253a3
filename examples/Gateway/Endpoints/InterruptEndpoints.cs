using System.Text.Json;
using System.Text.Json.Nodes;
using Jeeves.Examples.Gateway.Http;
using Jeeves.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Jeeves.Examples.Gateway.Endpoints;

/// <summary>
/// The interrupt endpoints under <c>/api/v1/interrupts</c> (spec §2.11). As in the reference, a missing interrupt
/// service (503) wins over validation errors here. Answering an interrupt resumes the run it paused.
/// </summary>
internal static class InterruptEndpoints
{
    private const string NotConfigured = "Interrupt service not configured";

    public static void MapInterrupts(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/api/v1/interrupts");

        async Task<IResult> List(HttpContext context)
        {
            if (context.RequestServices.GetService<GatewayInterruptService>() is not { } service)
            {
                return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured);
            }

            var v = new RequestValidator(context.Request);
            string user = v.UserId();
            string? session = v.OptionalString("session_id", 255);
            string? status = v.OptionalString("status_filter", 32) ?? "pending";
            string? kind = v.OptionalString("kind", 64);
            int limit = v.Int("limit", 50, 1, 200);
            if (!v.IsValid)
            {
                return v.Failure();
            }

            return ApiResults.Map(await service.ListAsync(user, session, status, kind, limit, context.RequestAborted));
        }

        // The reference serves the list at the trailing-slash route and redirects the other; routing matches both here.
        group.MapGet("", (Delegate)List);

        group.MapGet("/{interrupt_id}", async (HttpContext context, string interrupt_id) =>
        {
            if (context.RequestServices.GetService<GatewayInterruptService>() is not { } service)
            {
                return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured);
            }

            var v = new RequestValidator(context.Request);
            string user = v.UserId();
            return v.IsValid ? ApiResults.Map(await service.GetAsync(interrupt_id, user, context.RequestAborted)) : v.Failure();
        });

        group.MapPost("/{interrupt_id}/respond", async (HttpContext context, string interrupt_id) =>
        {
            if (context.RequestServices.GetService<GatewayInterruptService>() is not { } service)
            {
                return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured);
            }

            var v = new RequestValidator(context.Request);
            string user = v.UserId();
            (JsonObject? body, IResult? failure) = await JsonBody.ReadObjectAsync(context.Request, required: true, context.RequestAborted);
            if (failure is not null)
            {
                return failure;
            }

            string? text = JsonBody.String(body!, "text", v);
            if (text is not null)
            {
                v.CheckLength("body", "text", text, 0, GatewayInterruptService.MaxTextLength);
            }

            bool? approved = JsonBody.Bool(body!, "approved", v);
            string? decision = JsonBody.String(body!, "decision", v);
            JsonNode? data = body!["data"];
            if (data is not null and not JsonObject)
            {
                v.Add("body", "data", "Input should be a valid dictionary", "dict_type");
            }

            if (!v.IsValid)
            {
                return v.Failure();
            }

            JsonElement? dataElement = null;
            if (data is not null)
            {
                using JsonDocument document = JsonDocument.Parse(data.ToJsonString());
                dataElement = document.RootElement.Clone();
            }

            InterruptResponse answer = GatewayInterruptService.Answer(text, approved, decision, dataElement);
            return ApiResults.Map(await service.RespondAsync(interrupt_id, user, answer, context.RequestAborted));
        });

        group.MapDelete("/{interrupt_id}", async (HttpContext context, string interrupt_id) =>
        {
            if (context.RequestServices.GetService<GatewayInterruptService>() is not { } service)
            {
                return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured);
            }

            var v = new RequestValidator(context.Request);
            string user = v.UserId();
            string? reason = v.OptionalString("reason", 1000);
            if (!v.IsValid)
            {
                return v.Failure();
            }

            return ApiResults.Map(await service.CancelAsync(interrupt_id, user, reason, context.RequestAborted), static _ => Results.NoContent());
        });
    }
}
