using Jeeves.Examples.Gateway.Endpoints;
using Jeeves.Examples.Gateway.Http;
using Jeeves.Examples.Gateway.Metrics;
using Jeeves.Examples.HelloWorld;
using Jeeves.Gateway;
using Jeeves.Llm;
using Jeeves.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jeeves.Examples.Gateway;

/// <summary>Builds the gateway: services, middleware and endpoints.</summary>
public static class GatewayApp
{
    /// <summary>Builds the gateway application; <see cref="WebApplication.RunAsync"/> or <c>StartAsync</c> serves it.</summary>
    /// <param name="args">The command line (<c>--port</c>, <c>--host</c>).</param>
    /// <param name="settings">Adjusts the settings read from the environment, before anything uses them.</param>
    /// <param name="configure">Adjusts the builder after the default services are registered (tests replace or remove services here).</param>
    /// <returns>The application, not yet started.</returns>
    /// <exception cref="InvalidOperationException">A setting is invalid, for example a wildcard CORS origin.</exception>
    public static WebApplication Create(string[] args, Action<GatewaySettings>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        GatewaySettings gateway = GatewaySettings.From(builder.Configuration);
        settings?.Invoke(gateway);
        gateway.Validate();

        builder.WebHost.UseUrls($"http://{(gateway.Host.Contains(':', StringComparison.Ordinal) ? $"[{gateway.Host}]" : gateway.Host)}:{gateway.Port}");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = gateway.MaxRequestBodyBytes + 1;

            // The stream endpoint takes the message in its query string: room for 10,000 characters, percent-encoded.
            k.Limits.MaxRequestLineSize = 128 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 160 * 1024;
        });
        IServiceCollection services = builder.Services;
        services.AddSingleton(gateway);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
        });
        services.AddCors(o => o.AddDefaultPolicy(p => p
            .WithOrigins([.. gateway.CorsOrigins])
            .AllowAnyMethod()
            .AllowAnyHeader()
            .AllowCredentials()
            .SetPreflightMaxAge(TimeSpan.FromSeconds(600))));

        // The kernel, the HelloWorld onboarding chatbot, and its model: the deterministic mock unless the environment
        // names a real one (JEEVES_LLM_API_KEY / OPENAI_API_KEY / JEEVES_LLM_BASE_URL; MOCK_LLM_ENABLED forces the mock).
        services.AddJeevesKernel(o =>
        {
            // A person clicking around the page makes several API calls per question; the kernel's defaults
            // (10 per 10 s) are meant for processes, so the example allows more bursts.
            o.RateLimit.BurstSize = 40;
            o.RateLimit.RequestsPerMinute = 240;
        }).AddChatClientFromEnvironment().AddRuntime();

        // Its get_time tool reads the host's clock, the one the kernel and the gateway use.
        services.AddSingleton(static sp => CapabilityDefinition.From(new OnboardingCapability(sp.GetRequiredService<TimeProvider>())));
        services.AddSingleton<ISessionStore>(sp => new InMemorySessionStore(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new GatewayInterruptService(sp.GetRequiredService<IKernelClient>()));
        services.AddSingleton(sp =>
        {
            var options = new GovernanceOptions
            {
                LlmProvider = builder.Configuration["LLM_PROVIDER"]
                    ?? sp.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>()?.ProviderName
                    ?? "unknown",
                DatabaseBackend = builder.Configuration["DATABASE_BACKEND"] ?? "in_memory",
                LogLevel = builder.Configuration["LOG_LEVEL"] ?? "INFO",
            };
            foreach (CapabilityDefinition capability in sp.GetRequiredService<CapabilityRegistry>().Capabilities)
            {
                foreach (AgentDefinition agent in capability.Agents.Values)
                {
                    options.Agents.Add(new AgentView(agent.Name, agent.Description, "active", capability.Id));
                }
            }

            options.MemoryLayers.Add(new MemoryLayerView("sessions", "Chat sessions and messages", "active", "in_memory"));
            return new GatewayGovernanceService(sp.GetRequiredService<IKernelClient>(), options);
        });
        services.AddSingleton(sp => new GatewayChatService(
            sp.GetRequiredService<PipelineRunner>(),
            sp.GetRequiredService<ISessionStore>(),
            new ChatServiceOptions { DefaultPipeline = OnboardingCapability.Pipeline },
            sp.GetService<ILoggerFactory>()?.CreateLogger("Jeeves.Gateway.Chat")));
        services.AddSingleton(sp => new SseStreamWriter(
            sp.GetRequiredService<TimeProvider>(),
            SseStreamWriter.DefaultKeepAliveInterval,
            sp.GetService<ILoggerFactory>()?.CreateLogger("Jeeves.Gateway.Sse")));
        services.AddSingleton<PrometheusExporter>();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configure?.Invoke(builder);

        WebApplication app = builder.Build();

        // On the mock the whole answer is ready at once; a short pause between its words lets a person watch it stream.
        // The rule only paces the respond agent's stream and leaves the mock's answer as it is; it is inert on a real model.
        if (gateway.MockTokenDelay > TimeSpan.Zero)
        {
            _ = app.Services.GetRequiredService<MockChatClient>().On(agentName: "respond").Reply(new MockReply { ChunkDelay = gateway.MockTokenDelay });
        }

        // Outermost first: metrics see every response (413 and 429 included), errors never leak, oversized bodies
        // stop before anything reads them, then CORS, then the per-user rate limit, then the endpoints.
        app.UseMiddleware<HttpMetricsMiddleware>();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseMiddleware<BodyLimitMiddleware>();
        app.UseMiddleware<PreflightStatusMiddleware>();
        app.UseRouting();
        app.UseCors();
        if (gateway.RateLimitEnabled)
        {
            app.UseMiddleware<RateLimitMiddleware>();
        }

        // Start listening to meters before the first request, so the kernel's instruments are seen from the start.
        _ = app.Services.GetRequiredService<PrometheusExporter>();
        app.MapDiagnostics(gateway);
        app.MapChat();
        app.MapSessions();
        app.MapGovernance();
        app.MapInterrupts();
        app.MapFallback(static () => ApiResults.Detail(StatusCodes.Status404NotFound, "Not Found"));
        return app;
    }
}
