using BenchmarkDotNet.Loggers;

namespace Jeeves.Benchmarks.Quick;

/// <summary>
/// Keeps quick mode's standard output to its <c>bench</c> lines: BenchmarkDotNet's errors go to the diagnostics writer,
/// and its full progress goes only to the log file it writes under <c>BenchmarkDotNet.Artifacts</c>.
/// </summary>
internal sealed class ErrorLogger(TextWriter diagnostics) : ILogger
{
    public string Id => nameof(ErrorLogger);

    public int Priority => 0;

    public void Write(LogKind logKind, string text)
    {
        if (logKind == LogKind.Error)
        {
            diagnostics.Write(text);
        }
    }

    public void WriteLine()
    {
    }

    public void WriteLine(LogKind logKind, string text)
    {
        if (logKind == LogKind.Error)
        {
            diagnostics.WriteLine(text);
        }
    }

    public void Flush() => diagnostics.Flush();
}
