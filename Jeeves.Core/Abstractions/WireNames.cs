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
    private static readonly string[] s_healthStatuses = ["healthy", "degraded", "unhealthy", "unknown"];
    private static readonly string[] s_categories = ["read", "write", "execute", "network", "system", "unified", "composite", "resilient", "standalone", "internal"];
    private static readonly string[] s_riskSemantics = ["read_only", "write", "destructive"];
    private static readonly string[] s_riskSeverities = ["low", "medium", "high", "critical"];
    private static readonly string[] s_terminalReasons =
    [
        "COMPLETED", "MAX_ITERATIONS_EXCEEDED", "MAX_LLM_CALLS_EXCEEDED", "MAX_AGENT_HOPS_EXCEEDED",
        "USER_CANCELLED", "TOOL_FAILED_FATALLY", "LLM_FAILED_FATALLY", "POLICY_VIOLATION",
    ];
    private static readonly string[] s_instructionKinds = ["RUN_AGENT", "TERMINATE", "WAIT_INTERRUPT"];
    private static readonly string[] s_processingStatuses = ["running", "success", "error", "skipped"];
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
    public static string ToWire(HealthStatus status) => s_healthStatuses[(int)status];

    /// <summary>Gets the wire spelling of a tool category.</summary>
    /// <param name="category">The category.</param>
    /// <returns>The lower-case name.</returns>
    public static string ToWire(ToolCategory category) => s_categories[(int)category];

    /// <summary>Gets the wire spelling of a risk semantic (<c>read_only</c>, <c>write</c>, <c>destructive</c>).</summary>
    /// <param name="semantic">The risk semantic.</param>
    /// <returns>The snake_case name.</returns>
    public static string ToWire(RiskSemantic semantic) => s_riskSemantics[(int)semantic];

    /// <summary>Gets the wire spelling of a risk severity.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The lower-case name.</returns>
    public static string ToWire(RiskSeverity severity) => s_riskSeverities[(int)severity];

    /// <summary>Parses a tool category; case-sensitive.</summary>
    /// <param name="text">The text.</param>
    /// <param name="category">The category when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a category.</returns>
    public static bool TryParseToolCategory([NotNullWhen(true)] string? text, out ToolCategory category) =>
        TryParse(s_categories, text, StringComparison.Ordinal, out category);

    /// <summary>Parses a risk semantic; case-sensitive.</summary>
    /// <param name="text">The text.</param>
    /// <param name="semantic">The risk semantic when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a risk semantic.</returns>
    public static bool TryParseRiskSemantic([NotNullWhen(true)] string? text, out RiskSemantic semantic) =>
        TryParse(s_riskSemantics, text, StringComparison.Ordinal, out semantic);

    /// <summary>Parses a risk severity; case-sensitive.</summary>
    /// <param name="text">The text.</param>
    /// <param name="severity">The severity when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a severity.</returns>
    public static bool TryParseRiskSeverity([NotNullWhen(true)] string? text, out RiskSeverity severity) =>
        TryParse(s_riskSeverities, text, StringComparison.Ordinal, out severity);

    /// <summary>Gets the wire spelling of a terminal reason (<c>COMPLETED</c>, <c>MAX_LLM_CALLS_EXCEEDED</c>, …).</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The upper-case name.</returns>
    public static string ToWire(TerminalReason reason) => s_terminalReasons[(int)reason];

    /// <summary>Gets the wire spelling of an instruction kind (<c>RUN_AGENT</c>, <c>TERMINATE</c>, <c>WAIT_INTERRUPT</c>).</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The upper-case name.</returns>
    public static string ToWire(InstructionKind kind) => s_instructionKinds[(int)kind];

    /// <summary>Gets the wire spelling of a processing status (<c>running</c>, <c>success</c>, <c>error</c>, <c>skipped</c>).</summary>
    /// <param name="status">The status.</param>
    /// <returns>The lower-case name.</returns>
    public static string ToWire(ProcessingStatus status) => s_processingStatuses[(int)status];

    /// <summary>Parses a terminal reason; case-sensitive, as the reference is inside envelopes.</summary>
    /// <param name="text">The text.</param>
    /// <param name="reason">The reason when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a reason.</returns>
    public static bool TryParseTerminalReason([NotNullWhen(true)] string? text, out TerminalReason reason) =>
        TryParse(s_terminalReasons, text, StringComparison.Ordinal, out reason);

    /// <summary>Parses a processing status; case-sensitive.</summary>
    /// <param name="text">The text.</param>
    /// <param name="status">The status when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> names a status.</returns>
    public static bool TryParseProcessingStatus([NotNullWhen(true)] string? text, out ProcessingStatus status) =>
        TryParse(s_processingStatuses, text, StringComparison.Ordinal, out status);

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
