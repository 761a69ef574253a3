namespace Jeeves;

/// <summary>
/// Represents how often a tool failed with one error type.
/// </summary>
/// <param name="ErrorType">The error type, or <c>unknown</c> when none was recorded.</param>
/// <param name="Count">The number of failures of that type in the window.</param>
public sealed record ToolErrorPattern(string ErrorType, int Count);
