using System.Globalization;

namespace Jeeves.Gateway;

/// <summary>Formats values the way the gateway's JSON shows them.</summary>
internal static class GatewayText
{
    /// <summary>The detail of every unexpected failure: nothing internal is ever shown to a client.</summary>
    public const string InternalError = "Internal server error";

    /// <summary>Formats an instant as UTC ISO-8601 with a <c>Z</c> suffix and milliseconds (spec Q-23).</summary>
    public static string Iso(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string? Iso(DateTimeOffset? value) => value is { } v ? Iso(v) : null;

    /// <summary>Whether a kernel failure means the kernel could not be reached or is overloaded, rather than a bug.</summary>
    public static bool IsUnavailable(KernelException exception) =>
        exception.Code is KernelErrorCode.Unavailable or KernelErrorCode.ResourceExhausted or KernelErrorCode.Timeout || exception.IsRetryable;
}
