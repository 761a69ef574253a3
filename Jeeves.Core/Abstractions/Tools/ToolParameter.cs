using System.Text.Json.Nodes;

namespace Jeeves;

/// <summary>
/// Represents one parameter of a tool.
/// </summary>
/// <param name="Name">The parameter name (<c>name</c>).</param>
/// <param name="Type">The parameter type (<c>param_type</c>).</param>
/// <param name="Description">What the parameter means (<c>description</c>).</param>
/// <param name="Default">The value used when the parameter is omitted, or <see langword="null"/> for none (<c>default</c>).</param>
public sealed record ToolParameter(string Name, ToolParameterType Type, string Description = "", JsonNode? Default = null)
{
    /// <summary>Gets a value indicating whether a call must supply the parameter: it has no default and its type is not optional.</summary>
    public bool IsRequired => Default is null && Type.Kind != ToolParameterKind.Optional;
}
