// An onboarding chatbot about Jeeves.Core, run through the kernel.
//   dotnet run --project examples/HelloWorld -- "What does the kernel do?"     one question
//   dotnet run --project examples/HelloWorld                                  a chat that keeps its session
//   dotnet run --project examples/HelloWorld -- --kernel 127.0.0.1:50051 "…"  against examples/KernelHost over TCP
// It answers on a deterministic mock model unless JEEVES_LLM_API_KEY or OPENAI_API_KEY is set (then an OpenAI-compatible
// server: JEEVES_LLM_BASE_URL, JEEVES_LLM_MODEL).
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Jeeves;
using Jeeves.Examples.HelloWorld;
using Jeeves.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

string? question = null;
EndPoint? kernelEndpoint = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--kernel" && i + 1 < args.Length)
    {
        kernelEndpoint = ParseEndpoint(args[++i]);
    }
    else if (args[i] is "-h" or "--help")
    {
        Console.WriteLine("usage: HelloWorld [--kernel HOST:PORT] [question]");
        return 0;
    }
    else
    {
        question = question is null ? args[i] : question + " " + args[i];
    }
}

HostApplicationBuilder builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
JeevesKernelBuilder jeeves = kernelEndpoint is null
    ? builder.Services.AddJeevesKernel()
    : builder.Services.AddJeevesKernelClient(kernelEndpoint);
jeeves.AddCapability<OnboardingCapability>().AddChatClientFromEnvironment();

using IHost host = builder.Build();
await host.StartAsync();
PipelineRunner runner = host.Services.GetRequiredService<PipelineRunner>();
IKernelClient kernel = host.Services.GetRequiredService<IKernelClient>();
ChatClientMetadata? model = host.Services.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>();
Console.WriteLine($"Jeeves.Core onboarding chatbot · kernel {(kernelEndpoint is null ? "in process" : "at " + kernelEndpoint)} · model {Describe(model)}");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

string session = "sess_" + Guid.NewGuid().ToString("N")[..12];
var history = new JsonArray();
int exitCode = 0;
if (question is not null)
{
    exitCode = await AskAsync(question) ? 0 : 1;
}
else
{
    Console.WriteLine("Ask about Jeeves.Core (an empty line or Ctrl+D ends the chat; try \"help\" to see a clarification).");
    while (!stop.IsCancellationRequested)
    {
        Console.Write("\nyou> ");
        string? line = Console.ReadLine();
        if (string.IsNullOrWhiteSpace(line))
        {
            break;
        }

        _ = await AskAsync(line.Trim());
    }
}

await host.StopAsync();
return exitCode;

async Task<bool> AskAsync(string text)
{
    var request = new RunRequest
    {
        Pipeline = OnboardingCapability.Pipeline,
        Input = text,
        UserId = "console",
        SessionId = session,
        State = new JsonObject { ["conversation_history"] = history.DeepClone() },
    };

    bool answering = false;
    RunResult? result = null;
    await foreach (RunEvent e in runner.StreamAsync(request, stop.Token))
    {
        switch (e)
        {
            case AgentStarted s:
                EndLine(ref answering);
                Console.WriteLine($"  · {s.Agent}");
                break;
            case ToolCompleted t:
                Console.WriteLine($"    tool {t.Tool}: {t.Result["status"]}");
                break;
            case AgentCompleted { Success: false } f:
                Console.WriteLine($"    {f.Agent} failed: {f.Error}");
                break;
            case AgentCompleted { Agent: "understand" } understood:
                Console.WriteLine($"    intent {understood.Output["intent"]}, topic \"{understood.Output["topic"]}\"");
                break;
            case TokenDelta d:
                if (!answering)
                {
                    Console.Write("\njeeves> ");
                    answering = true;
                }

                Console.Write(d.Text);
                break;
            case InterruptRaised r:
                EndLine(ref answering);
                Console.WriteLine($"\njeeves asks> {r.Interrupt.Question}");
                Console.Write("you> ");
                string? answer = Console.ReadLine();
                if (string.IsNullOrWhiteSpace(answer))
                {
                    _ = await kernel.Interrupts.CancelAsync(r.Interrupt.Id, "no answer");
                }
                else
                {
                    _ = await kernel.Interrupts.ResolveAsync(r.Interrupt.Id, new InterruptResponse { Text = answer.Trim() }, request.UserId);
                }

                break;
            case RunCompleted c:
                result = c.Result;
                break;
            case RunFailed f:
                result = f.Result;
                EndLine(ref answering);
                Console.WriteLine($"  run failed: {f.Error}");
                break;
        }
    }

    EndLine(ref answering);
    if (result is null)
    {
        return false;
    }

    RunUsage u = result.Usage;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  [{WireNames.ToWire(result.TerminalReason ?? TerminalReason.Completed)}] {u.AgentRuns} agent runs, {u.LlmCalls} LLM calls, {u.TokensIn}+{u.TokensOut} tokens, ${u.CostUsd:0.######}"));
    if (result.Response is { } response)
    {
        history.Add(new JsonObject { ["role"] = "user", ["content"] = text });
        history.Add(new JsonObject { ["role"] = "assistant", ["content"] = response });
    }

    return result.IsCompleted;
}

static void EndLine(ref bool answering)
{
    if (answering)
    {
        Console.WriteLine();
        answering = false;
    }
}

static string Describe(ChatClientMetadata? m) =>
    m is null ? "unknown" : $"{m.DefaultModelId ?? "?"} ({m.ProviderName ?? "?"}{(m.ProviderUri is { } uri ? " at " + uri : string.Empty)})";

static EndPoint ParseEndpoint(string text)
{
    int colon = text.LastIndexOf(':');
    string host = colon > 0 ? text[..colon] : "127.0.0.1";
    int port = colon >= 0 && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : 50051;
    return IPAddress.TryParse(host, out IPAddress? address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
}
