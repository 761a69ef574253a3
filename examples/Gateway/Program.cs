// The HTTP gateway: chat (REST + server-sent events), sessions, human-in-the-loop interrupts, tool governance,
// health, readiness and Prometheus metrics, with a chat page at /.
//   dotnet run --project examples/Gateway                 serves http://127.0.0.1:8000
//   dotnet run --project examples/Gateway -- --port 9000  (or API_PORT=9000; API_HOST, CORS_ORIGINS, MAX_REQUEST_BODY_BYTES)
using Jeeves.Examples.Gateway;

await using Microsoft.AspNetCore.Builder.WebApplication app = GatewayApp.Create(args);
await app.RunAsync();
