namespace Jeeves;

/// <summary>
/// Specifies a tool's side effects. On the wire: <c>read_only</c>, <c>write</c>, <c>destructive</c>.
/// </summary>
public enum RiskSemantic
{
    /// <summary>No side effects.</summary>
    ReadOnly,

    /// <summary>Changes state that can be changed back.</summary>
    Write,

    /// <summary>Changes state that cannot be changed back.</summary>
    Destructive,
}
