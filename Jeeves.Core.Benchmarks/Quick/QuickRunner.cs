using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Configs;

namespace Jeeves.Benchmarks.Quick;

/// <summary>Runs the quick suites and prints their lines.</summary>
internal static class QuickRunner
{
    /// <summary>Runs the suites named in <paramref name="suiteNames"/>, or all of them when it is empty.</summary>
    /// <returns>The process exit code: 0 when every suite produced its lines, 1 otherwise.</returns>
    public static int Run(IReadOnlyCollection<string> suiteNames, TextWriter output, TextWriter diagnostics)
    {
        IQuickSuite[] suites = QuickSuites.All
            .Where(s => suiteNames.Count == 0 || suiteNames.Contains(s.Name, StringComparer.OrdinalIgnoreCase))
            .ToArray();
        if (suites.Length == 0)
        {
            diagnostics.WriteLine($"No quick suite matches {string.Join(", ", suiteNames)}; known: {string.Join(", ", QuickSuites.All.Select(s => s.Name))}");
            return 1;
        }

        IConfig config = QuickConfig.Create(diagnostics);
        int exitCode = 0;
        foreach (IQuickSuite suite in suites)
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                foreach (BenchLine line in suite.Run(config))
                {
                    output.WriteLine(line.ToString());
                }
            }
            catch (InvalidOperationException ex)
            {
                diagnostics.WriteLine($"quick suite {suite.Name} failed: {ex.Message}");
                exitCode = 1;
            }

            diagnostics.WriteLine(string.Create(CultureInfo.InvariantCulture, $"quick suite {suite.Name}: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));
        }

        return exitCode;
    }
}
