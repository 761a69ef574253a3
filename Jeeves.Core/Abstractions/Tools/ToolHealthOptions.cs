namespace Jeeves;

/// <summary>
/// Represents the thresholds that grade tool health and open circuits.
/// </summary>
public sealed class ToolHealthOptions
{
    /// <summary>Gets or sets the success rate at or above which a tool is healthy.</summary>
    /// <value>The default value is 0.95.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1].</exception>
    public double SuccessRateHealthy { get => field; set => field = Fraction(value); } = 0.95;

    /// <summary>Gets or sets the success rate at or above which a tool is degraded rather than unhealthy.</summary>
    /// <value>The default value is 0.80.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1].</exception>
    public double SuccessRateDegraded { get => field; set => field = Fraction(value); } = 0.80;

    /// <summary>Gets or sets the mean latency at or below which a tool is healthy.</summary>
    /// <value>The default value is 2 seconds.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan LatencyHealthy { get => field; set => field = NonNegative(value); } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets the mean latency at or below which a tool is degraded rather than unhealthy.</summary>
    /// <value>The default value is 5 seconds.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan LatencyDegraded { get => field; set => field = NonNegative(value); } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the number of executions needed before a tool is graded.</summary>
    /// <value>The default value is 5.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MinCallsForAssessment
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 5;

    /// <summary>Gets or sets the number of failures within <see cref="CircuitBreakWindow"/> that opens the circuit.</summary>
    /// <value>The default value is 5.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int CircuitBreakErrorThreshold
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 5;

    /// <summary>Gets or sets how far back failures count toward opening the circuit; the circuit closes once they age out.</summary>
    /// <value>The default value is 300 seconds.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan CircuitBreakWindow
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(300);

    /// <summary>Gets or sets how many recent executions are kept per tool.</summary>
    /// <value>The default value is 100.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int WindowSize
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 100;

    private static double Fraction(double value)
    {
        if (double.IsNaN(value) || value is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The value must be between 0 and 1.");
        }

        return value;
    }

    private static TimeSpan NonNegative(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        return value;
    }
}
