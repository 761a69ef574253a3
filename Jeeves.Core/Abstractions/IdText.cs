namespace Jeeves;

/// <summary>Validation shared by the identifier types.</summary>
internal static class IdText
{
    public static string Require(string? value, string typeName) =>
        string.IsNullOrEmpty(value) ? throw KernelErrors.Validation($"{typeName} cannot be empty") : value;
}
