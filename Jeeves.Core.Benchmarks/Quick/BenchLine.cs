using System.Globalization;
using System.Text;

namespace Jeeves.Benchmarks.Quick;

/// <summary>One quick-mode measurement, printed as <c>bench NAME value=V unit=U [baseline=B ratio=R]</c>.</summary>
/// <param name="Name">The metric name, <c>suite.measurement</c>.</param>
/// <param name="Value">The measured value.</param>
/// <param name="Unit">The unit: <c>ns</c> per operation, <c>B</c> allocated per operation, <c>MB</c> (2^20 bytes), or a rate such as <c>deliveries/s</c>.</param>
/// <param name="Baseline">The baseline's value in the same unit, when the measurement is compared with one.</param>
internal readonly record struct BenchLine(string Name, double Value, string Unit, double? Baseline = null)
{
    public override string ToString()
    {
        var line = new StringBuilder();
        CultureInfo inv = CultureInfo.InvariantCulture;
        line.Append(inv, $"bench {Name} value={Format(Value)} unit={Unit}");
        if (Baseline is { } baseline)
        {
            line.Append(inv, $" baseline={Format(baseline)} ratio={Value / baseline:0.00}");
        }

        return line.ToString();
    }

    // Bytes are whole numbers; times and sizes keep one decimal.
    private string Format(double value) =>
        value.ToString(Unit == "B" ? "0" : "0.0", CultureInfo.InvariantCulture);
}
