namespace Jeeves;

/// <summary>
/// Represents the outcome of checking a process's usage against its quota. A violation is reported, never thrown.
/// </summary>
/// <param name="Violation">The first quota exceeded, in the kernel's fixed order, or <see cref="QuotaViolation.None"/>.</param>
/// <param name="ExceededReason">The full reason (<c>quota exceeded: Process p quota exceeded: llm_calls 15 &gt; 10</c>), or the empty string.</param>
/// <param name="Usage">The stored usage of the process.</param>
public sealed record QuotaCheckResult(QuotaViolation Violation, string ExceededReason, ResourceUsage Usage)
{
    /// <summary>Gets a value indicating whether every enforced counter is within its limit.</summary>
    public bool WithinBounds => Violation == QuotaViolation.None;
}
