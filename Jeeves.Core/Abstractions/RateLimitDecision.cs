namespace Jeeves;

/// <summary>
/// Represents the per-user rate limiter's answer for one request.
/// </summary>
public sealed record RateLimitDecision
{
    /// <summary>Gets a value indicating whether the request is admitted.</summary>
    public bool Allowed { get; init; }

    /// <summary>Gets a value indicating whether the request is refused.</summary>
    public bool Exceeded => !Allowed;

    /// <summary>Gets the first window that refuses the request (checked hour, minute, burst), or <see langword="null"/> when admitted.</summary>
    public RateLimitWindow? LimitType { get; init; }

    /// <summary>Gets the full refusal message (<c>quota exceeded: Rate limit exceeded: 60 requests per minute</c>), or the empty string.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>Gets the number of admitted requests in the last 60 seconds, counting this one when it was recorded.</summary>
    public int CurrentCount { get; init; }

    /// <summary>Gets the limit of the refusing window, or the per-minute limit when admitted.</summary>
    public int Limit { get; init; }

    /// <summary>Gets how many more requests every window would admit now; 0 when refused.</summary>
    public int Remaining { get; init; }

    /// <summary>Gets how long until every window would admit the request, assuming no other traffic; zero when admitted.</summary>
    public TimeSpan RetryAfter { get; init; }
}
