namespace Jeeves.Gateway;

/// <summary>
/// Specifies how a gateway operation ended. Each value maps to one HTTP status code, which a transport applies.
/// </summary>
public enum GatewayOutcome
{
    /// <summary>The operation succeeded (200, or 204 when there is nothing to return).</summary>
    Ok,

    /// <summary>The request is well-formed but cannot be acted on as given (400).</summary>
    BadRequest,

    /// <summary>The caller does not own the object (403).</summary>
    Forbidden,

    /// <summary>The object does not exist (404).</summary>
    NotFound,

    /// <summary>The object is not in a state that allows the operation, for example an interrupt that is no longer pending (409).</summary>
    Conflict,

    /// <summary>The operation failed unexpectedly; the detail is a fixed text that reveals nothing internal (500).</summary>
    Failed,

    /// <summary>A backing service is unreachable or missing (503).</summary>
    Unavailable,
}

/// <summary>
/// Represents the result of a gateway operation: a value, or an outcome with a message fit to show a client.
/// </summary>
/// <typeparam name="T">The type of the value.</typeparam>
/// <remarks>
/// Expected refusals (not found, not the owner, not pending) are results, not exceptions, so a transport maps them
/// without catching anything. <see cref="Detail"/> never contains exception text or stack traces.
/// </remarks>
public readonly record struct GatewayResult<T>
{
    internal GatewayResult(GatewayOutcome outcome, T? value, string? detail)
    {
        Outcome = outcome;
        Value = value;
        Detail = detail;
    }

    /// <summary>Gets how the operation ended.</summary>
    public GatewayOutcome Outcome { get; }

    /// <summary>Gets the value when <see cref="Outcome"/> is <see cref="GatewayOutcome.Ok"/>.</summary>
    public T? Value { get; }

    /// <summary>Gets the message for the client when the operation did not succeed.</summary>
    public string? Detail { get; }

    /// <summary>Gets a value indicating whether the operation succeeded.</summary>
    public bool IsSuccess => Outcome == GatewayOutcome.Ok;
}

/// <summary>
/// Creates <see cref="GatewayResult{T}"/> values.
/// </summary>
public static class GatewayResult
{
    /// <summary>Creates a successful result.</summary>
    /// <typeparam name="T">The type of the value.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The result.</returns>
    public static GatewayResult<T> Ok<T>(T value) => new(GatewayOutcome.Ok, value, null);

    /// <summary>Creates a failed result.</summary>
    /// <typeparam name="T">The type of the value.</typeparam>
    /// <param name="outcome">How the operation ended; not <see cref="GatewayOutcome.Ok"/>.</param>
    /// <param name="detail">The message for the client.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException"><paramref name="outcome"/> is <see cref="GatewayOutcome.Ok"/>.</exception>
    public static GatewayResult<T> Fail<T>(GatewayOutcome outcome, string detail)
    {
        if (outcome == GatewayOutcome.Ok)
        {
            throw new ArgumentException("A failed result needs a failing outcome.", nameof(outcome));
        }

        ArgumentNullException.ThrowIfNull(detail);
        return new(outcome, default, detail);
    }
}
