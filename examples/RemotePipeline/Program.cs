// A worker in its own process driving a pipeline on a kernel in another process (examples/KernelHost):
//   dotnet run --project examples/KernelHost -- --port 50051        (terminal 1)
//   dotnet run --project examples/RemotePipeline -- --port 50051    (terminal 2)
// The agents are plain code here; the kernel decides which runs next, counts the budget and ends the run.
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Jeeves;
using Jeeves.Ipc;

int port = args.Length == 2 && args[0] == "--port" && int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : 50051;

await using TcpKernelClient kernel = await TcpKernelClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));

var pipeline = new PipelineConfig
{
    Name = "qa",
    Stages =
    [
        new PipelineStage("understand", "understander", [RoutingRule.Always("think")]),
        new PipelineStage("think", "thinker", [RoutingRule.When("needs_more_info", true, "understand"), RoutingRule.Always("respond")]),
        new PipelineStage("respond", "responder"),
    ],
    MaxIterations = 3,
    MaxLlmCalls = 20,
    MaxAgentHops = 10,
};

var pid = ProcessId.New();
Envelope envelope = Envelope.Create(DateTimeOffset.UnixEpoch, new CreateEnvelopeOptions { RawInput = "What is the capital of France?", UserId = "demo" });
SessionState session = await kernel.Orchestration.InitializeSessionAsync(pid, pipeline, envelope);
Console.WriteLine($"session  {pid} starts at '{session.CurrentStage}'");

int thinks = 0;
Instruction next = await kernel.Orchestration.GetNextInstructionAsync(pid);
while (next.Kind == InstructionKind.RunAgent)
{
    JsonObject output = next.AgentName switch
    {
        "understander" => new JsonObject { ["intent"] = "question" },
        "thinker" => new JsonObject { ["needs_more_info"] = ++thinks == 1 },   // loops back once
        _ => new JsonObject { ["response"] = "Paris" },
    };
    Console.WriteLine($"run      {next.AgentName,-13} -> {output.ToJsonString()}");
    next = await kernel.Orchestration.ReportAgentResultAsync(pid, new AgentResult
    {
        AgentName = next.AgentName!,
        Output = output,
        Metrics = new AgentExecutionMetrics { LlmCalls = 1, TokensIn = 100, TokensOut = 20 },
    });
}

SessionState final = await kernel.Orchestration.GetSessionStateAsync(pid);
ProcessInfo? process = await kernel.Kernel.GetProcessAsync(pid);
Console.WriteLine($"ended    {next.Kind} {next.TerminalReason}: {final.Envelope.Outputs["responder"].GetProperty("response")}");
Console.WriteLine($"budget   llm calls {final.Envelope.Bounds.LlmCallCount}, hops {final.Envelope.Bounds.AgentHopCount}, loop-backs {final.Envelope.Pipeline.Iteration}");
Console.WriteLine($"process  {process?.State} (llm calls charged: {process?.Usage.LlmCalls})");
return next.TerminalReason == TerminalReason.Completed ? 0 : 1;
