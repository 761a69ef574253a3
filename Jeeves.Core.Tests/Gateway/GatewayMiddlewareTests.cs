using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Jeeves.Examples.Gateway;
using Jeeves.Gateway;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Jeeves.Tests.Gateway;

/// <summary>Body limit, rate limiting, CORS, error sanitising and metrics on a real Kestrel server.</summary>
public sealed class GatewayMiddlewareTests
{
    private const int Max = 1_048_576;

    [Test]
    public async Task BodyLimit_ExactlyTheLimitAccepted_OneMoreByte413_ChunkedOver413()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        (int exact, _) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/sessions", PaddedJson(Max));
        (int over, JsonNode? overBody) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/sessions", PaddedJson(Max + 1));
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"user_id\":\"a\"}" + new string(' ', Max))));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/chat/sessions") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using HttpResponseMessage chunkedResponse = await host.Client.SendAsync(request);
        (int chunkedStatus, JsonNode? chunkedBody) = await GatewayTestHost.ReadAsync(chunkedResponse);

        Assert.That(exact, Is.EqualTo(200));
        Assert.That(over, Is.EqualTo(413));
        Assert.That(overBody!.ToJsonString(), Is.EqualTo($"{{\"error\":\"request_too_large\",\"detail\":\"Request body exceeds {Max} bytes\",\"max_bytes\":{Max}}}"));
        Assert.That(chunkedStatus, Is.EqualTo(413));
        Assert.That(chunkedBody!["error"]!.GetValue<string>(), Is.EqualTo("request_too_large"));
    }

    [Test]
    public async Task RateLimit_OverTheBurst_429WithRetryAfter_DiagnosticsNeverLimited()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(configure: b =>
            b.Services.Configure<KernelOptions>(o => o.RateLimit.BurstSize = 3));

        var statuses = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            statuses.Add((await host.SendAsync(HttpMethod.Get, "/api/v1/chat/sessions?user_id=alice")).Status);
        }

        using HttpResponseMessage refused = await host.Client.GetAsync("/api/v1/chat/sessions?user_id=alice");
        (int status, JsonNode? body) = await GatewayTestHost.ReadAsync(refused);
        (int otherUser, _) = await host.SendAsync(HttpMethod.Get, "/api/v1/chat/sessions?user_id=bob");
        using var headerUser = new HttpRequestMessage(HttpMethod.Get, "/api/v1/chat/sessions?user_id=bob");
        headerUser.Headers.Add("X-User-ID", "alice");
        using HttpResponseMessage byHeader = await host.Client.SendAsync(headerUser);
        for (int i = 0; i < 10; i++)
        {
            statuses.Add((await host.SendAsync(HttpMethod.Get, "/health")).Status);
        }

        Assert.That(statuses, Is.All.EqualTo(200));
        Assert.That(status, Is.EqualTo(429));
        Assert.That(body!["error"]!.GetValue<string>(), Is.EqualTo("rate_limit_exceeded"));
        Assert.That(body["limit_type"]!.GetValue<string>(), Is.EqualTo("burst"));
        int retryAfter = body["retry_after_seconds"]!.GetValue<int>();
        Assert.That(retryAfter, Is.InRange(1, 10));
        Assert.That(refused.Headers.RetryAfter!.Delta, Is.EqualTo(TimeSpan.FromSeconds(retryAfter)));
        Assert.That(refused.Headers.GetValues("X-RateLimit-Remaining").Single(), Is.EqualTo("0"));
        Assert.That(refused.Headers.GetValues("X-RateLimit-Limit").Single(), Is.EqualTo("3"));
        Assert.That(otherUser, Is.EqualTo(200), "limits are per user");
        Assert.That((int)byHeader.StatusCode, Is.EqualTo(429), "X-User-ID names the user first");
    }

    [Test]
    public async Task RateLimit_KernelUnreachable_FailsClosed503()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();
        await host.Services.GetRequiredService<IKernelClient>().DisposeAsync();

        using HttpResponseMessage response = await host.Client.GetAsync("/api/v1/chat/sessions?user_id=alice");
        (int status, JsonNode? body) = await GatewayTestHost.ReadAsync(response);

        Assert.That(status, Is.EqualTo(503));
        Assert.That(body!["error"]!.GetValue<string>(), Is.EqualTo("rate_limit_unavailable"));
        Assert.That(response.Headers.RetryAfter!.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task Cors_AllowedOriginEchoed_OtherOriginNoHeader_Preflight200()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/health");
        allowed.Headers.Add("Origin", "http://allowed.example");
        using HttpResponseMessage allowedResponse = await host.Client.SendAsync(allowed);
        using var other = new HttpRequestMessage(HttpMethod.Get, "/health");
        other.Headers.Add("Origin", "http://evil.example");
        using HttpResponseMessage otherResponse = await host.Client.SendAsync(other);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/chat/messages");
        preflight.Headers.Add("Origin", "http://allowed.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-user-id");
        using HttpResponseMessage preflightResponse = await host.Client.SendAsync(preflight);

        Assert.That(allowedResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(allowedResponse.Headers.GetValues("Access-Control-Allow-Origin").Single(), Is.EqualTo("http://allowed.example"));
        Assert.That(allowedResponse.Headers.GetValues("Access-Control-Allow-Credentials").Single(), Is.EqualTo("true"));
        Assert.That(allowedResponse.Headers.Vary, Does.Contain("Origin"));
        Assert.That(otherResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(otherResponse.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
        Assert.That(preflightResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(preflightResponse.Headers.GetValues("Access-Control-Allow-Origin").Single(), Is.EqualTo("http://allowed.example"));
        Assert.That(preflightResponse.Headers.GetValues("Access-Control-Allow-Credentials").Single(), Is.EqualTo("true"));
        Assert.That(preflightResponse.Headers.GetValues("Access-Control-Max-Age").Single(), Is.EqualTo("600"));
        Assert.That(preflightResponse.Headers.GetValues("Access-Control-Allow-Headers").Single(), Does.Contain("x-user-id"));
    }

    [Test]
    public void Cors_WildcardOriginWithCredentials_RefusedAtStartup()
    {
        var e = Assert.Throws<InvalidOperationException>(() => GatewayApp.Create([], s => s.CorsOrigins = ["http://a.example", "*"]));

        Assert.That(e!.Message, Does.Contain("CORS_ORIGINS").And.Contain("'*'"));
    }

    [Test]
    public void Settings_OriginsTrimmed_BadPortRefused()
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["CORS_ORIGINS"] = "http://a.example, http://b.example ,", ["API_PORT"] = "9001" })
            .Build();
        var bad = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["API_PORT"] = "eighty" })
            .Build();

        GatewaySettings settings = GatewaySettings.From(config);

        Assert.That(settings.CorsOrigins, Is.EqualTo(new[] { "http://a.example", "http://b.example" }));
        Assert.That(settings.Port, Is.EqualTo(9001));
        Assert.That(() => GatewaySettings.From(bad), Throws.InvalidOperationException.With.Message.Contains("API_PORT"));
    }

    [TestCase(null, 30)]
    [TestCase("0", 0)]
    [TestCase("120", 120)]
    public void Settings_MockTokenDelay_DefaultOrMilliseconds(string? value, int expectedMs)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MOCK_TOKEN_DELAY_MS"] = value })
            .Build();

        Assert.That(GatewaySettings.From(config).MockTokenDelay, Is.EqualTo(TimeSpan.FromMilliseconds(expectedMs)));
    }

    [TestCase("-5")]
    [TestCase("fast")]
    [TestCase("10001")]
    public void Settings_MockTokenDelay_BadValueRefused(string value)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MOCK_TOKEN_DELAY_MS"] = value })
            .Build();

        Assert.That(() => GatewaySettings.From(config), Throws.InvalidOperationException.With.Message.Contains("MOCK_TOKEN_DELAY_MS"));
    }

    [Test]
    public async Task UnhandledException_SanitisedJson500()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(configure: b =>
        {
            b.Services.RemoveAll<ISessionStore>();
            b.Services.AddSingleton<ISessionStore, ThrowingSessionStore>();
        });

        using HttpResponseMessage response = await host.Client.GetAsync("/api/v1/chat/sessions?user_id=alice");
        string text = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(500));
        Assert.That(text, Is.EqualTo("{\"detail\":\"Internal server error\"}"));
        Assert.That(text, Does.Not.Contain("secret").And.Not.Contain(" at "));
    }

    [Test]
    public async Task Metrics_PrometheusTextWithRouteTemplatesAndStatus()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();
        await host.SendAsync(HttpMethod.Get, "/health");
        await host.SendAsync(HttpMethod.Get, "/api/v1/chat/sessions/abc?user_id=alice");

        using HttpResponseMessage response = await host.Client.GetAsync("/metrics");
        string text = await response.Content.ReadAsStringAsync();

        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/plain"));
        Assert.That(text, Does.Contain("# TYPE jeeves_http_requests_total counter"));
        Assert.That(text, Does.Contain("# TYPE jeeves_http_request_duration_seconds histogram"));
        Assert.That(text, Does.Contain("jeeves_http_requests_total{method=\"GET\",path=\"/health\",status_code=\"200\"}"));
        Assert.That(text, Does.Contain("path=\"/api/v1/chat/sessions/{session_id}\",status_code=\"404\""), "route templates, not raw ids (Q-21)");
        Assert.That(text, Does.Contain("jeeves_http_request_duration_seconds_bucket{method=\"GET\",path=\"/health\",le=\"+Inf\"}"));
        Assert.That(text, Does.Not.Contain("path=\"/api/v1/chat/sessions/abc\""));
    }

    private static StringContent PaddedJson(int length)
    {
        const string json = "{\"user_id\":\"alice\"}";
        return new StringContent(json + new string(' ', length - json.Length), Encoding.UTF8, "application/json");
    }

    private sealed class ThrowingSessionStore : ISessionStore
    {
        public Task<ChatSession> CreateSessionAsync(string userId, string? title, CancellationToken cancellationToken = default) => throw Secret();

        public Task<SessionPage> ListSessionsAsync(string userId, int limit, int offset, bool includeDeleted = false, CancellationToken cancellationToken = default) => throw Secret();

        public Task<ChatSession?> GetSessionAsync(string sessionId, string userId, CancellationToken cancellationToken = default) => throw Secret();

        public Task<SessionMessagePage?> GetMessagesAsync(string sessionId, string userId, int limit, int offset, CancellationToken cancellationToken = default) => throw Secret();

        public Task<SessionMessage?> AppendMessageAsync(string sessionId, string userId, string role, string content, CancellationToken cancellationToken = default) => throw Secret();

        public Task<bool> DeleteSessionAsync(string sessionId, string userId, CancellationToken cancellationToken = default) => throw Secret();

        private static InvalidOperationException Secret() => new("secret connection string: Server=db;Password=hunter2");
    }
}
