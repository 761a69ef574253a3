namespace Jeeves;

/// <summary>
/// Represents a request refused because the kernel's request queue was full; the request was not executed.
/// </summary>
/// <remarks>The code is <see cref="KernelErrorCode.ResourceExhausted"/> and the request can be retried.</remarks>
public sealed class KernelOverloadedException : KernelException
{
    /// <summary>The message the kernel sends when its queue is full.</summary>
    public const string QueueFullMessage = "Kernel request queue is full; retry shortly";

    /// <summary>Initializes a new instance of the <see cref="KernelOverloadedException"/> class.</summary>
    public KernelOverloadedException()
        : this(0)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KernelOverloadedException"/> class.</summary>
    /// <param name="queueCapacity">The capacity of the queue that was full.</param>
    public KernelOverloadedException(int queueCapacity)
        : base(KernelErrorCode.ResourceExhausted, QueueFullMessage)
    {
        QueueCapacity = queueCapacity;
    }

    /// <summary>Initializes a new instance of the <see cref="KernelOverloadedException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    public KernelOverloadedException(string message)
        : base(KernelErrorCode.ResourceExhausted, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KernelOverloadedException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public KernelOverloadedException(string message, Exception? innerException)
        : base(KernelErrorCode.ResourceExhausted, message, innerException)
    {
    }

    /// <summary>Gets the capacity of the request queue that was full, or 0 when unknown.</summary>
    public int QueueCapacity { get; }

    /// <inheritdoc/>
    public override bool IsRetryable => true;
}
