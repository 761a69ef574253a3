using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Jeeves.Benchmarks.Quick;

/// <summary>
/// The quick-mode configuration: one in-process launch, six warmups and fifteen 100 ms iterations per benchmark
/// (the warmups also give tiered compilation time to settle, since everything runs in this one process).
/// Good for spotting regressions and checking targets, not for publishing numbers: use a full run for those.
/// </summary>
internal static class QuickConfig
{
    public static IConfig Create(TextWriter diagnostics) =>
        ManualConfig.CreateEmpty()
            .AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(6)
                .WithIterationCount(15)
                .WithIterationTime(TimeInterval.FromMilliseconds(100))
                .WithId("Quick"))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddExporter(MarkdownExporter.GitHub)
            .AddLogger(new ErrorLogger(diagnostics));
}
