using System.Diagnostics.CodeAnalysis;

namespace Jeeves;

/// <summary>
/// Converts the kernel's enumerations to and from their wire spellings, which are fixed by the reference protocol.
/// </summary>
public static class WireNames
{
    private static readonly string[] s_states = ["NEW", "READY", "RUNNING", "WAITING", "BLOCKED", "TERMINATED", "ZOMBIE"];
    private static readonly string[] s_priorities = ["REALTIME", "HIGH", "NORMAL", "LOW", "IDLE"];
    private static readonly string[] s_kinds = ["clarification", "confirmation", "agent_review", "checkpoint", "resource_exhausted", "timeout", "system_error"];
    private static readonly string[] s_statuses = ["pending", "resolved", "expired", "cancelled"];
    private static readonly string[] s_windows = ["hour", "minute", "burst"];
    private static readonly string[] s_serviceStatuses = ["healthy", "degraded", "unhealthy", "unknown"];
    private static readonly string[] s_codes =
    [
        "INVALID_ARGUMENT", "NOT_FOUND", "FAILED_PRECONDITION", "RESOURCE_EXHAUSTED", "UNAVAILABLE",
        "INTERNAL", "CANCELLED", "TIMEOUT", "ALREADY_EXISTS", "UNAUTHENTICATED",
    ];

    /// <summary>Gets the wire spelling of a process state (<c>NEW</c> … <c>ZOMBIE</c>).</summary>
    /// <param name="state">The state.</param>
    /// <returns>The upper-case name.</returns>
    public static string ToWire(ProcessState state) => s_states[(int)state];

    /// <summary>Gets the wire spelling of a priority (<c>REALTIME</c> … <c>IDLE</c>).</summary>
    /// <param name="priority">The priority.</param>
    /// <returns>The upper-case name.</returns>
    public static string ToWire(SchedulingPriority priority) => s_priorities[(int)priority];

    /// <summary>Gets the wire spelling of an interrupt kind (<c>clarification</c> … <c>system_error</c>).</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The snake_case name.</returns>
    public static string ToWire(InterruptKind kind) => s_kinds[(int)kind];

    /// <summary>Gets the wire spelling of an interrupt status (<c>pending</c> … <c>cancelled</c>).</summary>
    /// <param name="status">The status.</param>
    /// <returns>The lower-case name.</returns>
    public static string ToWire(InterruptStatus status) => s_statuses[(int)status];

    /// <summary>Gets the wire spelling of a rate-limit window (<c>hour</c>, <c>minute</c>, <c>burst</c>).</summary>
    /// <param name="window">The window.</param>
    /// <returns>The lower-case name.</returns>
    public static string ToWire(RateLimitWindow window) => s_windows[(int)window];

    /// <summary>Gets the wire spelling of a service status.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The lower-case name.</returns>
    public static string ToWire(ServiceStatus status) => s_serviceStatuses[(int)status];

    /// <summary>Gets the wire spelling of an error code (<c>INVALID_ARGUMENT</c> …).</summary>
    /// <param name="code">The code.</param>
    /// <returns>The upper-case name.</returns>
    public static string ToWire(KernelErrorCode code) => s_codes[(int)code];

    /// <summary>Parses a process state, ignoring case as the reference does.</summary>
    /// <param name="text">The text.</param>
    /// <param name="state">The state when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a state.</returns>
    public static bool TryParseProcessState([NotNullWhen(true)] string? text, out ProcessState state) =>
        TryParse(s_states, text, StringComparison.OrdinalIgnoreCase, out state);

    /// <summary>Parses a scheduling priority, ignoring case as the reference does.</summary>
    /// <param name="text">The text.</param>
    /// <param name="priority">The priority when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a priority.</returns>
    public static bool TryParsePriority([NotNullWhen(true)] string? text, out SchedulingPriority priority) =>
        TryParse(s_priorities, text, StringComparison.OrdinalIgnoreCase, out priority);

    /// <summary>Parses an interrupt kind; case-sensitive, as the reference is.</summary>
    /// <param name="text">The text.</param>
    /// <param name="kind">The kind when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a kind.</returns>
    public static bool TryParseInterruptKind([NotNullWhen(true)] string? text, out InterruptKind kind) =>
        TryParse(s_kinds, text, StringComparison.Ordinal, out kind);

    /// <summary>Parses an error code; case-sensitive.</summary>
    /// <param name="text">The text.</param>
    /// <param name="code">The code when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a code.</returns>
    public static bool TryParseErrorCode([NotNullWhen(true)] string? text, out KernelErrorCode code) =>
        TryParse(s_codes, text, StringComparison.Ordinal, out code);

    private static bool TryParse<TEnum>(string[] names, string? text, StringComparison comparison, out TEnum value)
        where TEnum : struct, Enum
    {
        if (text is not null)
        {
            for (int i = 0; i < names.Length; i++)
            {
                if (string.Equals(names[i], text, comparison))
                {
                    value = (TEnum)(object)i;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }
}
