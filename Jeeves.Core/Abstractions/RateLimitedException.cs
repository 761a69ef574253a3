namespace Jeeves;

/// <summary>
/// Represents a request refused by the per-user rate limiter.
/// </summary>
/// <remarks>
/// The code is <see cref="KernelErrorCode.ResourceExhausted"/>. The message keeps the reference texts
/// (<c>quota exceeded: Rate limit exceeded: 60 requests per minute</c>, <c>… requests per hour</c>,
/// <c>quota exceeded: Burst limit exceeded: 10 requests per 10 seconds</c>).
/// </remarks>
public sealed class RateLimitedException : KernelException
{
    /// <summary>Initializes a new instance of the <see cref="RateLimitedException"/> class.</summary>
    public RateLimitedException()
        : this("quota exceeded: rate limit exceeded")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RateLimitedException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    public RateLimitedException(string message)
        : base(KernelErrorCode.ResourceExhausted, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RateLimitedException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public RateLimitedException(string message, Exception? innerException)
        : base(KernelErrorCode.ResourceExhausted, message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RateLimitedException"/> class from a limiter decision.</summary>
    /// <param name="decision">The refusing decision.</param>
    public RateLimitedException(RateLimitDecision decision)
        : base(KernelErrorCode.ResourceExhausted, decision?.Reason ?? "quota exceeded: rate limit exceeded")
    {
        ArgumentNullException.ThrowIfNull(decision);
        LimitType = decision.LimitType;
        Limit = decision.Limit;
        RetryAfter = decision.RetryAfter;
    }

    /// <summary>Gets the window that refused the request.</summary>
    public RateLimitWindow? LimitType { get; }

    /// <summary>Gets the configured limit of the refusing window.</summary>
    public int Limit { get; }

    /// <summary>Gets how long the caller must wait before the same request would be admitted, assuming no other traffic.</summary>
    public TimeSpan RetryAfter { get; }
}
