namespace Jeeves;

/// <summary>
/// Specifies one of the per-user rate-limit windows. On the wire they are spelled <c>hour</c>, <c>minute</c> and
/// <c>burst</c>.
/// </summary>
public enum RateLimitWindow
{
    /// <summary>Requests in the last hour.</summary>
    Hour,

    /// <summary>Requests in the last 60 seconds.</summary>
    Minute,

    /// <summary>Requests in the last 10 seconds.</summary>
    Burst,
}
