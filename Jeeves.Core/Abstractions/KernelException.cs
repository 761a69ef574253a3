namespace Jeeves;

/// <summary>
/// Represents a failure reported by the kernel, carrying the <see cref="KernelErrorCode"/> that travels on the wire.
/// </summary>
/// <remarks>
/// The in-process and the TCP clients throw the same exception with the same <see cref="Code"/>, so callers can handle
/// failures without knowing where the kernel runs. <see cref="Exception.Message"/> is the full wire message, including
/// the kind prefix the reference protocol uses (for example <c>not found: unknown pid: p1</c>).
/// </remarks>
public class KernelException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="KernelException"/> class with <see cref="KernelErrorCode.Internal"/>.</summary>
    public KernelException()
        : this(KernelErrorCode.Internal, "internal error")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KernelException"/> class with <see cref="KernelErrorCode.Internal"/>.</summary>
    /// <param name="message">The message that describes the error.</param>
    public KernelException(string message)
        : this(KernelErrorCode.Internal, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KernelException"/> class with <see cref="KernelErrorCode.Internal"/>.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public KernelException(string message, Exception? innerException)
        : this(KernelErrorCode.Internal, message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KernelException"/> class.</summary>
    /// <param name="code">The error code.</param>
    /// <param name="message">The full message, as it travels on the wire.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public KernelException(KernelErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>Gets the error code.</summary>
    public KernelErrorCode Code { get; }

    /// <summary>Gets a value indicating whether the request was never executed and can safely be sent again.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public virtual bool IsRetryable => false;
}
