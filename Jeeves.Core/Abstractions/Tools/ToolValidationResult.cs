namespace Jeeves;

/// <summary>
/// Represents the outcome of checking a call's parameters against a tool's declaration.
/// </summary>
/// <param name="Errors">Every problem found, in the reference order: missing required parameters in declaration order, then supplied keys in ordinal order.</param>
public sealed record ToolValidationResult(IReadOnlyList<string> Errors)
{
    /// <summary>Gets a value indicating whether the parameters are valid.</summary>
    public bool IsValid => Errors.Count == 0;
}
