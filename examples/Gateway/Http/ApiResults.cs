using Jeeves.Gateway;
using Microsoft.AspNetCore.Http;

namespace Jeeves.Examples.Gateway.Http;

/// <summary>The <c>{"detail": …}</c> error body every endpoint uses (spec §2.6), and the mapping from gateway outcomes.</summary>
internal static class ApiResults
{
    public static IResult Detail(int status, string detail) => Results.Json(new ErrorDetail(detail), statusCode: status);

    public static IResult Map<T>(GatewayResult<T> result, Func<T, IResult>? ok = null) =>
        result.IsSuccess ? (ok ?? (static v => Results.Json(v)))(result.Value!) : Detail(StatusOf(result.Outcome), result.Detail!);

    public static int StatusOf(GatewayOutcome outcome) => outcome switch
    {
        GatewayOutcome.Ok => StatusCodes.Status200OK,
        GatewayOutcome.BadRequest => StatusCodes.Status400BadRequest,
        GatewayOutcome.Forbidden => StatusCodes.Status403Forbidden,
        GatewayOutcome.NotFound => StatusCodes.Status404NotFound,
        GatewayOutcome.Conflict => StatusCodes.Status409Conflict,
        GatewayOutcome.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}

/// <summary>The error body of the HTTP API.</summary>
internal sealed record ErrorDetail(string Detail);
