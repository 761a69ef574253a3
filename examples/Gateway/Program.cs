// The HTTP gateway: the HelloWorld onboarding chatbot over chat (REST + server-sent events), sessions, human-in-the-loop
// interrupts, tool governance, health, readiness and Prometheus metrics, with a chat page at /.
//   dotnet run --project examples/Gateway                 serves http://127.0.0.1:8000
//   dotnet run --project examples/Gateway -- --port 9000  (or API_PORT=9000; API_HOST, CORS_ORIGINS, MAX_REQUEST_BODY_BYTES)
// It answers on a deterministic mock model unless JEEVES_LLM_API_KEY, OPENAI_API_KEY or JEEVES_LLM_BASE_URL is set (then an
// OpenAI-compatible server: JEEVES_LLM_MODEL names the model); MOCK_LLM_ENABLED=true forces the mock.
using Jeeves.Examples.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

await using WebApplication app = GatewayApp.Create(args);
app.Lifetime.ApplicationStarted.Register(() =>
{
    ChatClientMetadata? model = app.Services.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>();
    string where = string.Join(", ", app.Urls);
    Console.WriteLine($"Jeeves gateway · onboarding chatbot on model {model?.DefaultModelId ?? "?"} ({model?.ProviderName ?? "?"}) · open {where}");
});
await app.RunAsync();
