using System.Text.Json.Nodes;
using Jeeves.Examples.Gateway.Http;
using Jeeves.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Jeeves.Examples.Gateway.Endpoints;

/// <summary>The session endpoints under <c>/api/v1/chat/sessions</c> (spec §2.8).</summary>
internal static class SessionEndpoints
{
    private const string NotConfigured = "Session service not configured";
    private const string NotFound = "Session not found";

    public static void MapSessions(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/api/v1/chat/sessions");

        group.MapPost("", async (HttpContext context) =>
        {
            if (context.RequestServices.GetService<ISessionStore>() is not { } store)
            {
                return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured);
            }

            var v = new RequestValidator(context.Request);
            string? queryUser = v.OptionalString("user_id", RequestValidator.MaxUserIdLength, minLength: 1);
            (JsonObject? body, IResult? failure) = await JsonBody.ReadObjectAsync(context.Request, required: true, context.RequestAborted);
            if (failure is not null)
            {
                return failure;
            }

            string? bodyUser = JsonBody.String(body!, "user_id", v);
            string? title = JsonBody.String(body!, "title", v);
            if (bodyUser is not null)
            {
                v.CheckLength("body", "user_id", bodyUser, 0, RequestValidator.MaxUserIdLength);
            }

            if (title is not null)
            {
                v.CheckLength("body", "title", title, 0, 255);
            }

            if (!v.IsValid)
            {
                return v.Failure();
            }

            string? user = !string.IsNullOrEmpty(bodyUser) ? bodyUser : queryUser;
            if (string.IsNullOrEmpty(user))
            {
                return ApiResults.Detail(StatusCodes.Status400BadRequest, "user_id is required");
            }

            ChatSession session = await store.CreateSessionAsync(user, title, context.RequestAborted);
            return Results.Json(SessionResponse.From(session));
        });

        group.MapGet("", async (HttpContext context) =>
        {
            var v = new RequestValidator(context.Request);
            string user = v.UserId();
            int limit = v.Int("limit", 50, 1, ISessionStore.MaxSessionPageSize);
            int offset = v.Int("offset", 0, 0, int.MaxValue);
            bool includeDeleted = v.Bool("include_deleted", false);
            if (!v.IsValid)
            {
                return v.Failure();
            }

            if (context.RequestServices.GetService<ISessionStore>() is not { } store)
            {
                return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured);
            }

            SessionPage page = await store.ListSessionsAsync(user, limit, offset, includeDeleted, context.RequestAborted);
            return Results.Json(new { sessions = page.Sessions.Select(SessionResponse.From), total = page.Total });
        });

        group.MapGet("/{session_id}", async (HttpContext context, string session_id) =>
        {
            var v = new RequestValidator(context.Request);
            string user = v.UserId();
            if (!v.IsValid)
            {
                return v.Failure();
            }

            if (context.RequestServices.GetService<ISessionStore>() is not { } store)
            {
                return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured);
            }

            ChatSession? session = await store.GetSessionAsync(session_id, user, context.RequestAborted);
            return session is null ? ApiResults.Detail(StatusCodes.Status404NotFound, NotFound) : Results.Json(SessionResponse.From(session));
        });

        group.MapGet("/{session_id}/messages", async (HttpContext context, string session_id) =>
        {
            var v = new RequestValidator(context.Request);
            string user = v.UserId();
            int limit = v.Int("limit", 100, 1, ISessionStore.MaxMessagePageSize);
            int offset = v.Int("offset", 0, 0, int.MaxValue);
            if (!v.IsValid)
            {
                return v.Failure();
            }

            if (context.RequestServices.GetService<ISessionStore>() is not { } store)
            {
                return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured);
            }

            SessionMessagePage? page = await store.GetMessagesAsync(session_id, user, limit, offset, context.RequestAborted);
            return page is null
                ? ApiResults.Detail(StatusCodes.Status404NotFound, NotFound)
                : Results.Json(new
                {
                    messages = page.Messages.Select(static m => new
                    {
                        message_id = m.MessageId,
                        session_id = m.SessionId,
                        role = m.Role,
                        content = m.Content,
                        created_at = Iso(m.CreatedAt),
                    }),
                    total = page.Total,
                });
        });

        group.MapDelete("/{session_id}", async (HttpContext context, string session_id) =>
        {
            var v = new RequestValidator(context.Request);
            string user = v.UserId();
            if (!v.IsValid)
            {
                return v.Failure();
            }

            if (context.RequestServices.GetService<ISessionStore>() is not { } store)
            {
                return ApiResults.Detail(StatusCodes.Status503ServiceUnavailable, NotConfigured);
            }

            return await store.DeleteSessionAsync(session_id, user, context.RequestAborted)
                ? Results.NoContent()
                : ApiResults.Detail(StatusCodes.Status404NotFound, NotFound);
        });
    }

    internal static string Iso(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A session as the API shows it (<c>SessionResponse</c>).</summary>
internal sealed record SessionResponse(string SessionId, string UserId, string? Title, int MessageCount, string Status, string CreatedAt, string? LastActivity)
{
    public static SessionResponse From(ChatSession s) =>
        new(s.SessionId, s.UserId, s.Title, s.MessageCount, s.Status, SessionEndpoints.Iso(s.CreatedAt), s.LastActivityAt is { } a ? SessionEndpoints.Iso(a) : null);
}
