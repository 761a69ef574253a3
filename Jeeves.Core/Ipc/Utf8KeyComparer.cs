using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>
/// Orders map keys by their UTF-8 bytes, as upstream's <c>BTreeMap&lt;String, _&gt;</c> does (spec/ipc.md §3.3 rule 1).
/// </summary>
/// <remarks>
/// UTF-8 byte order is code point order. Ordinal UTF-16 order agrees except that surrogates (supplementary characters)
/// sort below U+E000–U+FFFF; moving the surrogates above the rest of the BMP restores code point order.
/// </remarks>
internal sealed class Utf8KeyComparer : IComparer<KeyValuePair<string, JsonNode?>>, IComparer<string>
{
    public static readonly Utf8KeyComparer Instance = new();

    public static int CompareKeys(string x, string y)
    {
        int common = x.AsSpan().CommonPrefixLength(y);
        if (common == x.Length || common == y.Length)
        {
            return x.Length - y.Length;
        }

        return CodePointOrder(x[common]) - CodePointOrder(y[common]);
    }

    public int Compare(KeyValuePair<string, JsonNode?> x, KeyValuePair<string, JsonNode?> y) =>
        CompareKeys(x.Key, y.Key);

    public int Compare(string? x, string? y) => CompareKeys(x ?? string.Empty, y ?? string.Empty);

    private static int CodePointOrder(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };
}
