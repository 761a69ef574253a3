namespace Jeeves;

/// <summary>
/// Specifies the shape of a <see cref="ToolParameterType"/>.
/// </summary>
public enum ToolParameterKind
{
    /// <summary>A JSON string (<c>"string"</c>; shown as <c>string</c>).</summary>
    String,

    /// <summary>A JSON integer, signed or unsigned 64-bit; <c>5.0</c> is not one (<c>"int"</c>; shown as <c>integer</c>).</summary>
    Int,

    /// <summary>Any JSON number (<c>"float"</c>; shown as <c>number</c>).</summary>
    Float,

    /// <summary>A JSON boolean (<c>"bool"</c>; shown as <c>boolean</c>).</summary>
    Bool,

    /// <summary>A JSON array of strings, possibly empty (<c>"string_list"</c>; shown as <c>string[]</c>).</summary>
    StringList,

    /// <summary>One of a fixed set of strings, case-sensitive (<c>{"enum": [...]}</c>; shown as <c>enum(a|b)</c>).</summary>
    Enum,

    /// <summary>JSON null or a value of the inner type (<c>{"optional": ...}</c>; shown as <c>&lt;inner&gt;?</c>).</summary>
    Optional,
}
