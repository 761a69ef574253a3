using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Jeeves.Benchmarks.Kernel;
using Jeeves.Benchmarks.Quick;
using Jeeves.Kernel;

namespace Jeeves.Benchmarks.Tools;

/// <summary>
/// Tool governance on the kernel core: checking a call's parameters against a registered tool, and recording an
/// execution in the tool's health window.
/// </summary>
/// <remarks>
/// The call is parsed from JSON text, as one arriving over IPC is, and parsed once in setup: the benchmark measures
/// validation, not parsing. The health window is full after the first few invocations, so recording measures the
/// steady state in which each execution replaces the oldest.
/// </remarks>
[MemoryDiagnoser]
public class ToolBenchmarks
{
    private const string ToolId = "search_web";

    private const string Call = """{"query":"weather in Paris","max_results":10,"temperature":0.7,"order":"desc","tags":["news","weather"]}""";

    private static readonly TimeSpan s_latency = TimeSpan.FromMilliseconds(120);

    private KernelCore? _core;
    private JsonObject? _call;

    [GlobalSetup]
    public void Setup()
    {
        _core = new KernelCore(BenchKernel.UnlimitedOptions(), TimeProvider.System);
        _ = _core.RegisterTool(new ToolEntry
        {
            Id = ToolId,
            Description = "Search the web for information",
            Parameters =
            [
                new ToolParameter("query", ToolParameterType.String, "What to search for"),
                new ToolParameter("max_results", ToolParameterType.Int, "How many results", JsonValue.Create(5)),
                new ToolParameter("temperature", ToolParameterType.Float, "How adventurous the ranking is"),
                new ToolParameter("order", ToolParameterType.Enum("asc", "desc"), "Result order"),
                new ToolParameter("tags", ToolParameterType.StringList, "Topics to favour"),
            ],
            Category = ToolCategory.Network,
        });
        _call = JsonNode.Parse(Call)!.AsObject();
        ToolValidationResult check = _core.ValidateToolParams(ToolId, _call);
        if (!check.IsValid)
        {
            throw new InvalidOperationException("The benchmark call is invalid: " + string.Join("; ", check.Errors));
        }
    }

    /// <summary><c>tools.validate</c>: a valid five-parameter call (string, int, float, enum, string list) against a registered tool.</summary>
    [Benchmark]
    [QuickMetric("tools.validate", AllocationMetric = "tools.validate_alloc")]
    public ToolValidationResult ValidateParams() => _core!.ValidateToolParams(ToolId, _call);

    /// <summary><c>tools.record</c>: one successful execution recorded in the tool's health window.</summary>
    [Benchmark]
    [QuickMetric("tools.record", AllocationMetric = "tools.record_alloc", Order = 1)]
    public void RecordExecution() => _core!.RecordToolExecution(ToolId, success: true, s_latency);
}
