namespace Jeeves;

/// <summary>
/// Represents a tool in the kernel's catalog.
/// </summary>
public sealed record ToolEntry
{
    /// <summary>Gets the tool id; must not be empty (<c>id</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Gets what the tool does (<c>description</c>).</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Gets the parameters, in declaration order (<c>parameters</c>).</summary>
    public IReadOnlyList<ToolParameter> Parameters { get; init; } = [];

    /// <summary>Gets the category (<c>category</c>).</summary>
    public ToolCategory Category { get; init; } = ToolCategory.Read;

    /// <summary>Gets the kind of side effects (<c>risk_semantic</c>).</summary>
    public RiskSemantic RiskSemantic { get; init; } = RiskSemantic.ReadOnly;

    /// <summary>Gets the severity of harm a call can do (<c>risk_severity</c>).</summary>
    public RiskSeverity RiskSeverity { get; init; } = RiskSeverity.Low;

    /// <summary>Gets a value indicating whether calls should be confirmed by a human (high or critical severity).</summary>
    public bool RequiresConfirmation => RiskSeverity is RiskSeverity.High or RiskSeverity.Critical;

    /// <summary>Determines whether another entry describes the same tool in every field.</summary>
    /// <param name="other">The other entry.</param>
    /// <returns><see langword="true"/> when the two are interchangeable.</returns>
    public bool Equals(ToolEntry? other) =>
        other is not null &&
        Id == other.Id && Description == other.Description && Category == other.Category &&
        RiskSemantic == other.RiskSemantic && RiskSeverity == other.RiskSeverity &&
        Parameters.Count == other.Parameters.Count &&
        Parameters.Zip(other.Parameters).All(static p =>
            p.First.Name == p.Second.Name && p.First.Type.Equals(p.Second.Type) && p.First.Description == p.Second.Description &&
            System.Text.Json.Nodes.JsonNode.DeepEquals(p.First.Default, p.Second.Default));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Description, Parameters.Count, Category, RiskSemantic, RiskSeverity);
}
