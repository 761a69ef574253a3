namespace Jeeves;

/// <summary>
/// Represents the type of a tool parameter: a primitive, an enumeration of strings, or an optional inner type.
/// </summary>
/// <remarks>Instances are immutable; compare them with <see cref="Equals(ToolParameterType?)"/>.</remarks>
public sealed class ToolParameterType : IEquatable<ToolParameterType>
{
    private ToolParameterType(ToolParameterKind kind, IReadOnlyList<string>? values = null, ToolParameterType? inner = null)
    {
        Kind = kind;
        Values = values ?? [];
        Inner = inner;
        DisplayName = kind switch
        {
            ToolParameterKind.String => "string",
            ToolParameterKind.Int => "integer",
            ToolParameterKind.Float => "number",
            ToolParameterKind.Bool => "boolean",
            ToolParameterKind.StringList => "string[]",
            ToolParameterKind.Enum => $"enum({string.Join('|', Values)})",
            _ => inner!.DisplayName + "?",
        };
    }

    /// <summary>Gets the string type.</summary>
    public static ToolParameterType String { get; } = new(ToolParameterKind.String);

    /// <summary>Gets the integer type.</summary>
    public static ToolParameterType Int { get; } = new(ToolParameterKind.Int);

    /// <summary>Gets the number type.</summary>
    public static ToolParameterType Float { get; } = new(ToolParameterKind.Float);

    /// <summary>Gets the boolean type.</summary>
    public static ToolParameterType Bool { get; } = new(ToolParameterKind.Bool);

    /// <summary>Gets the list-of-strings type.</summary>
    public static ToolParameterType StringList { get; } = new(ToolParameterKind.StringList);

    /// <summary>Gets the shape of the type.</summary>
    public ToolParameterKind Kind { get; }

    /// <summary>Gets the allowed values of an <see cref="ToolParameterKind.Enum"/> type; empty otherwise.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>Gets the inner type of an <see cref="ToolParameterKind.Optional"/> type; <see langword="null"/> otherwise.</summary>
    public ToolParameterType? Inner { get; }

    /// <summary>Gets the name shown in tool prompts, for example <c>integer</c>, <c>enum(asc|desc)</c> or <c>string?</c>.</summary>
    public string DisplayName { get; }

    /// <summary>Creates an enumeration type.</summary>
    /// <param name="values">The allowed values, compared case-sensitively.</param>
    /// <returns>The type.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its items is null.</exception>
    public static ToolParameterType Enum(params IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] copy = values.ToArray();
        foreach (string v in copy)
        {
            ArgumentNullException.ThrowIfNull(v, nameof(values));
        }

        return new(ToolParameterKind.Enum, values: copy);
    }

    /// <summary>Creates an optional type: null or a value of <paramref name="inner"/>.</summary>
    /// <param name="inner">The inner type.</param>
    /// <returns>The type.</returns>
    public static ToolParameterType Optional(ToolParameterType inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return new(ToolParameterKind.Optional, inner: inner);
    }

    /// <inheritdoc/>
    public bool Equals(ToolParameterType? other) =>
        other is not null && Kind == other.Kind && Values.SequenceEqual(other.Values) && Equals(Inner, other.Inner);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ToolParameterType);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, DisplayName);

    /// <inheritdoc/>
    public override string ToString() => DisplayName;
}
