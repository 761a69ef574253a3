using System.Globalization;
using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>Turns an error frame back into the exception the kernel threw (same code, same message).</summary>
internal static class ClientErrors
{
    /// <summary>
    /// Maps an error reply. <c>RESOURCE_EXHAUSTED</c> with <c>retryable: true</c> is a <see cref="KernelOverloadedException"/>;
    /// a rate-limit refusal (its message names the window) is a <see cref="RateLimitedException"/> whose
    /// <see cref="RateLimitedException.LimitType"/> and <see cref="RateLimitedException.Limit"/> are read from the message;
    /// the wire does not carry the retry time, so <see cref="RateLimitedException.RetryAfter"/> is zero.
    /// </summary>
    public static KernelException FromReply(in WireReply reply)
    {
        string message = reply.ErrorMessage ?? "internal error: the kernel sent an error without a message";
        KernelErrorCode code = WireNames.TryParseErrorCode(reply.ErrorCode, out KernelErrorCode parsed) ? parsed : KernelErrorCode.Internal;
        if (code != KernelErrorCode.ResourceExhausted)
        {
            return new KernelException(code, message);
        }

        if (reply.Error?["retryable"] is JsonValue retryable && retryable.TryGetValue(out bool isRetryable) && isRetryable)
        {
            int capacity = reply.Error["kernel_queue_capacity"] is JsonValue c && c.TryGetValue(out long n) && n is >= 0 and <= int.MaxValue ? (int)n : 0;
            return new KernelOverloadedException(capacity);
        }

        return RateLimit(message) ?? new KernelException(code, message);
    }

    /// <summary>Reads the refusals of the rate limiter: <c>Rate limit exceeded: N requests per hour|minute</c>, <c>Burst limit exceeded: N requests per 10 seconds</c>.</summary>
    private static RateLimitedException? RateLimit(string message)
    {
        RateLimitWindow window;
        string marker;
        if (message.Contains("Burst limit exceeded: ", StringComparison.Ordinal))
        {
            window = RateLimitWindow.Burst;
            marker = "Burst limit exceeded: ";
        }
        else if (message.Contains("Rate limit exceeded: ", StringComparison.Ordinal))
        {
            marker = "Rate limit exceeded: ";
            if (message.EndsWith("per hour", StringComparison.Ordinal))
            {
                window = RateLimitWindow.Hour;
            }
            else if (message.EndsWith("per minute", StringComparison.Ordinal))
            {
                window = RateLimitWindow.Minute;
            }
            else
            {
                return null;
            }
        }
        else
        {
            return null;
        }

        string rest = message[(message.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..];
        int space = rest.IndexOf(' ', StringComparison.Ordinal);
        int limit = space > 0 && int.TryParse(rest.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out int l) ? l : 0;
        return new RateLimitedException(new RateLimitDecision { Allowed = false, LimitType = window, Limit = limit, Reason = message });
    }
}
