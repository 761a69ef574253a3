using System.Text.Json.Nodes;

namespace Jeeves;

/// <summary>
/// Represents one routing rule of a stage: when the stage agent's output has <see cref="Condition"/> equal to
/// <see cref="Value"/>, the run goes to <see cref="Target"/>. A null condition always matches.
/// </summary>
/// <param name="Condition">A top-level key of the agent's output, or <see langword="null"/> for an unconditional rule (<c>condition</c>).</param>
/// <param name="Value">The value the key must equal; numbers compare by value, everything else structurally (<c>value</c>).</param>
/// <param name="Target">The stage to go to (<c>target</c>).</param>
public sealed record RoutingRule(string? Condition, JsonNode? Value, string Target)
{
    /// <summary>Creates a rule that always matches.</summary>
    /// <param name="target">The stage to go to.</param>
    /// <returns>The rule.</returns>
    public static RoutingRule Always(string target) => new(null, null, target);

    /// <summary>Creates a rule that matches when the output's <paramref name="condition"/> key equals <paramref name="value"/>.</summary>
    /// <param name="condition">The output key.</param>
    /// <param name="value">The value to compare.</param>
    /// <param name="target">The stage to go to.</param>
    /// <returns>The rule.</returns>
    public static RoutingRule When(string condition, JsonNode? value, string target) => new(condition, value, target);
}
