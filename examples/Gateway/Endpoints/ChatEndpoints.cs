using System.Text.Json.Nodes;
using Jeeves.Examples.Gateway.Http;
using Jeeves.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Jeeves.Examples.Gateway.Endpoints;

/// <summary><c>POST /api/v1/chat/messages</c> and the server-sent event stream <c>GET /api/v1/chat/stream</c> (spec §2.8, §2.9).</summary>
internal static class ChatEndpoints
{
    private const string NotConfigured = "Flow service not configured";

    public static void MapChat(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/api/v1/chat");

        group.MapPost("/messages", async (HttpContext context) =>
        {
            var v = new RequestValidator(context.Request);
            string user = v.UserId();
            (JsonObject? body, IResult? failure) = await JsonBody.ReadObjectAsync(context.Request, required: true, context.RequestAborted);
            if (failure is not null)
            {
                return failure;
            }

            string? message = JsonBody.String(body!, "message", v);
            if (message is null)
            {
                if (body!["message"] is null)
                {
                    v.Add("body", "message", "Field required", "missing");
                }
            }
            else
            {
                v.CheckLength("body", "message", message, 1, RequestValidator.MaxMessageLength);
            }

            string? session = JsonBody.String(body!, "session_id", v);
            string? mode = JsonBody.String(body!, "mode", v);
            string? repoPath = JsonBody.String(body!, "repo_path", v);
            if (!v.IsValid)
            {
                return v.Failure();
            }

            if (context.RequestServices.GetService<GatewayChatService>() is not { } chat)
            {
                return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured);
            }

            GatewayResult<ChatReply> reply = await chat.SendAsync(new ChatRequest(user, message!, session, mode, repoPath), context.RequestAborted);
            return ApiResults.Map(reply);
        });

        group.MapGet("/stream", async (HttpContext context) =>
        {
            var v = new RequestValidator(context.Request);
            string user = v.UserId();
            string message = v.RequiredString("message", RequestValidator.MaxMessageLength);
            string? session = v.OptionalString("session_id", 255);
            string? mode = v.OptionalString("mode", 255);
            string? repoPath = v.OptionalString("repo_path", 4096);
            if (!v.IsValid)
            {
                await v.Failure().ExecuteAsync(context);
                return;
            }

            if (context.RequestServices.GetService<GatewayChatService>() is not { } chat)
            {
                await ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured).ExecuteAsync(context);
                return;
            }

            GatewayResult<ChatRun> run = await chat.StreamAsync(new ChatRequest(user, message, session, mode, repoPath), context.RequestAborted);
            if (!run.IsSuccess)
            {
                await ApiResults.Map(run).ExecuteAsync(context);
                return;
            }

            HttpResponse response = context.Response;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            if (HttpProtocol.IsHttp11(context.Request.Protocol))
            {
                response.Headers.Connection = "keep-alive";
            }

            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await response.StartAsync(context.RequestAborted);
            SseStreamWriter writer = context.RequestServices.GetRequiredService<SseStreamWriter>();
            await writer.WriteAsync(run.Value!.Events, response.Body, context.RequestAborted);
        });
    }
}
