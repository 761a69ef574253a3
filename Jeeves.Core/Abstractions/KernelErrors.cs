namespace Jeeves;

/// <summary>
/// Builds <see cref="KernelException"/>s whose messages carry the reference protocol's kind prefixes.
/// </summary>
internal static class KernelErrors
{
    public static KernelException Validation(string detail, Exception? inner = null) => new(KernelErrorCode.InvalidArgument, "validation error: " + detail, inner);

    public static KernelException NotFound(string detail) => new(KernelErrorCode.NotFound, "not found: " + detail);

    public static KernelException StateTransition(string detail) => new(KernelErrorCode.FailedPrecondition, "state transition error: " + detail);

    public static KernelException QuotaExceeded(string detail) => new(KernelErrorCode.ResourceExhausted, "quota exceeded: " + detail);

    public static KernelException AlreadyExists(string detail) => new(KernelErrorCode.AlreadyExists, "already exists: " + detail);

    public static KernelException Internal(string detail, Exception? inner = null) => new(KernelErrorCode.Internal, "internal error: " + detail, inner);

    public static KernelException Timeout(string detail) => new(KernelErrorCode.Timeout, "timeout: " + detail);

    public static KernelException Unavailable(string detail) => new(KernelErrorCode.Unavailable, detail);

    public static KernelException UnknownPid(ProcessId pid) => NotFound($"unknown pid: {pid}");

    public static KernelException ProcessNotFound(ProcessId pid) => NotFound($"Process {pid} not found");
}
