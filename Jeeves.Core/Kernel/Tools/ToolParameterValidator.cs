using System.Globalization;
using System.Text.Json.Nodes;

namespace Jeeves.Kernel.Tools;

/// <summary>Checks values against parameter types with the reference's error texts (§10.2).</summary>
internal static class ToolParameterValidator
{
    /// <summary>Checks one value; returns the problem, or <see langword="null"/> when it fits.</summary>
    public static string? Check(ToolParameterType type, JsonNode? value)
    {
        switch (type.Kind)
        {
            case ToolParameterKind.String:
                return JsonTypes.IsString(value, out _) ? null : Expected("string", value);
            case ToolParameterKind.Int:
                return JsonTypes.IsInteger(value) ? null : Expected("integer", value);
            case ToolParameterKind.Float:
                return JsonTypes.IsNumber(value) ? null : Expected("number", value);
            case ToolParameterKind.Bool:
                return JsonTypes.IsBoolean(value) ? null : Expected("boolean", value);
            case ToolParameterKind.StringList:
                if (value is not JsonArray array)
                {
                    return Expected("array", value);
                }

                for (int i = 0; i < array.Count; i++)
                {
                    if (!JsonTypes.IsString(array[i], out _))
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"expected string at index {i}, got {JsonTypes.NameOf(array[i])}");
                    }
                }

                return null;
            case ToolParameterKind.Enum:
                if (!JsonTypes.IsString(value, out string? text))
                {
                    return "expected string for enum, got " + JsonTypes.NameOf(value);
                }

                foreach (string allowed in type.Values)
                {
                    if (string.Equals(allowed, text, StringComparison.Ordinal))
                    {
                        return null;
                    }
                }

                return $"invalid enum value '{text}', expected one of: {string.Join(", ", type.Values)}";
            default:
                return value is null ? null : Check(type.Inner!, value);
        }
    }

    private static string Expected(string expected, JsonNode? value) => $"expected {expected}, got {JsonTypes.NameOf(value)}";
}
