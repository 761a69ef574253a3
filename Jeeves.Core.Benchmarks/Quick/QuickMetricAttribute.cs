namespace Jeeves.Benchmarks.Quick;

/// <summary>
/// Names the quick-mode line of a benchmark method. Methods without it still run in full runs but print nothing in
/// quick mode.
/// </summary>
/// <param name="name">The metric name, <c>suite.measurement</c>.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class QuickMetricAttribute(string name) : Attribute
{
    /// <summary>Gets the metric name of the mean time per operation.</summary>
    public string Name { get; } = name;

    /// <summary>Gets or sets the metric name of the bytes allocated per operation; <see langword="null"/> prints none.</summary>
    public string? AllocationMetric { get; set; }

    /// <summary>Gets or sets how many operations the allocation line gives the bytes of; the default, 1, gives bytes per operation.</summary>
    /// <remarks>For work timed per part and sized as a whole, such as a run of three steps timed per step and sized per run (3).</remarks>
    public int AllocationOperations { get; set; } = 1;

    /// <summary>Gets or sets where the lines go among the class's lines; ties keep declaration order.</summary>
    /// <remarks>Lets a class declare benchmarks in the order they should run (a baseline next to what it is compared with) and still print them in another.</remarks>
    public int Order { get; set; }

    /// <summary>Gets or sets a value indicating whether the line carries the class's <c>Baseline = true</c> benchmark and the ratio to it.</summary>
    public bool CompareToBaseline { get; set; }
}
