using System.Text.Json;

namespace Jeeves;

/// <summary>
/// Represents a query handler's answer.
/// </summary>
/// <remarks>
/// <see cref="Success"/> = <see langword="false"/> is an answer from the application, returned to the sender as is;
/// it is not an error of the bus and does not throw.
/// </remarks>
/// <param name="Success">Whether the handler could answer the query (<c>success</c>).</param>
/// <param name="Result">The answer, if any (<c>result</c>).</param>
/// <param name="Error">Why the handler could not answer; empty on success (<c>error</c>).</param>
public sealed record QueryResponse(bool Success, JsonElement? Result, string Error);
