using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Jeeves.Llm;

/// <summary>
/// Reads JSON out of LLM replies: strict JSON first, then JSON inside code fences or surrounding prose, then repaired
/// JSON (trailing commas, single quotes, bare keys). This is the reference's <c>JSONRepairKit</c> (spec/runtime.md §10.1),
/// plus <see cref="ParseObject"/>, which accepts objects only.
/// </summary>
/// <remarks>
/// <para>
/// Strict parsing means RFC 8259 JSON as <see cref="JsonDocument"/> reads it: surrounding whitespace is allowed,
/// trailing data, comments and trailing commas are not, and of duplicate keys the last wins (as in Python). Unlike
/// Python's decoder, <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> are rejected: <see cref="JsonNode"/> cannot hold them
/// as numbers, and a reply that uses them is better treated as not JSON.
/// </para>
/// <para>Repair is only a fallback: text that is valid JSON always parses to exactly its strict value.</para>
/// <para>Every method is thread-safe and allocation-light enough for per-reply use.</para>
/// </remarks>
public static partial class LenientJson
{
    private const string Fence = "```";
    private const int MaxObjectCandidates = 64;

    private static readonly JsonDocumentOptions s_strict = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 256,
    };

    /// <summary>Finds the JSON-looking part of a reply, as the reference does.</summary>
    /// <param name="text">The reply.</param>
    /// <returns>
    /// The content of the first fenced block (three backticks, an optional lower-case <c>json</c> tag, whitespace, then
    /// everything up to the next three backticks), trimmed, even if it is not JSON; else the balanced <c>{…}</c> or
    /// <c>[…]</c> starting at the first bracket (brackets inside double-quoted strings, with backslash escapes, are
    /// ignored); else, when that never closes, the stretch from the first <c>{</c> to the last <c>}</c> or the first
    /// <c>[</c> to the last <c>]</c>, whichever starts first; else <see langword="null"/>. The result is always a
    /// substring of the trimmed <paramref name="text"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static string? ExtractJson(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        if (FindFence(trimmed, 0, anyTag: false) is { } fence)
        {
            return trimmed.Substring(fence.ContentStart, fence.ContentLength).Trim();
        }

        int brace = trimmed.IndexOf('{', StringComparison.Ordinal);
        int bracket = trimmed.IndexOf('[', StringComparison.Ordinal);
        if (brace < 0 && bracket < 0)
        {
            return null;
        }

        bool useBracket = brace < 0 || (bracket >= 0 && bracket < brace);
        int start = useBracket ? bracket : brace;
        int end = FindClose(trimmed, start, useBracket ? '[' : '{', useBracket ? ']' : '}');
        return end >= 0 ? trimmed[start..(end + 1)] : GreedySpan(trimmed);
    }

    /// <summary>Repairs common defects of LLM-written JSON, as the reference does.</summary>
    /// <param name="text">The JSON-like text.</param>
    /// <returns>
    /// The text with every comma that is followed (after optional whitespace) by <c>}</c> or <c>]</c> removed; then, if
    /// it contains <c>'</c> and no <c>"</c>, every <c>'</c> replaced by <c>"</c>; then every bare key (an identifier right
    /// after <c>{</c> or <c>,</c> and before <c>:</c>) double-quoted. The rules do not look at strings, which is why
    /// <see cref="ParseLenient"/> tries the strict parse first. Not idempotent: <c>,,}</c> becomes <c>,}</c>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static string Repair(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string repaired = TrailingComma().Replace(text, "$1");
        if (repaired.Contains('\'', StringComparison.Ordinal) && !repaired.Contains('"', StringComparison.Ordinal))
        {
            repaired = repaired.Replace('\'', '"');
        }

        return BareKey().Replace(repaired, "$1\"$2\"$3");
    }

    /// <summary>Parses a reply as JSON of any kind, leniently, as the reference's <c>parse_lenient</c> does.</summary>
    /// <param name="text">The reply.</param>
    /// <returns>
    /// The first of: the strict parse of <paramref name="text"/>; the strict parse of <see cref="ExtractJson"/>'s result,
    /// or of its repair; the strict parse of the repaired text; else <see langword="null"/>. Any JSON value can come back
    /// (object, array, string, number, boolean); a literal <c>null</c> is indistinguishable from failure.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <remarks>Agents should prefer <see cref="ParseObject"/>, which never returns a bare array, number or string (quirk Q10).</remarks>
    public static JsonNode? ParseLenient(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParseStrict(text, out JsonNode? node))
        {
            return node;
        }

        if (ExtractJson(text) is { } extracted
            && (TryParseStrict(extracted, out node) || TryParseStrict(Repair(extracted), out node)))
        {
            return node;
        }

        return TryParseStrict(Repair(text), out node) ? node : null;
    }

    /// <summary>
    /// Finds the JSON object in a reply (the recommendation of quirk Q10): only an object is accepted, never a bare array,
    /// number or string.
    /// </summary>
    /// <param name="text">The reply, or <see langword="null"/>.</param>
    /// <returns>
    /// The first object found by: the strict parse of the whole text (when it is valid JSON of another kind the answer
    /// is <see langword="null"/>); each fenced block in turn, with any language tag or none (<c>```JSON</c>,
    /// <c>```js</c>), strict then repaired; each balanced <c>{…}</c> in turn, from the first <c>{</c> on (so in
    /// <c>See [1] then {"a": 1}</c> the object wins), strict then repaired; the stretch from the first <c>{</c> to the
    /// last <c>}</c>, repaired if needed; the repaired whole text. <see langword="null"/> when there is none.
    /// </returns>
    /// <remarks>Never throws; callers typically wrap a <see langword="null"/> result as <c>{"response": text}</c>.</remarks>
    public static JsonObject? ParseObject(string? text) => ParseObjectWithElement(text, out _);

    /// <summary>As <see cref="ParseObject"/>, and says when the object wraps the reply's parsed element.</summary>
    /// <param name="text">The reply, or <see langword="null"/>.</param>
    /// <param name="wrapped">
    /// The element the returned object wraps (an immutable standalone document, equal to the object until someone changes
    /// the object), or <see langword="null"/> when the object was built as a tree.
    /// </param>
    internal static JsonObject? ParseObjectWithElement(string? text, out JsonElement? wrapped)
    {
        wrapped = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // The common case, a reply that is exactly a JSON object, is handed out wrapped; anything unusual about it is
        // parsed again into a tree, exactly as before.
        if (TryParseStrictElement(text, out JsonElement whole))
        {
            if (whole.ValueKind == JsonValueKind.Object && CanWrap(whole, depth: 0))
            {
                wrapped = whole;
                return JsonObject.Create(whole);
            }

            if (TryParseStrict(text, out JsonNode? tree))
            {
                return tree as JsonObject;
            }
        }

        for (int from = 0; FindFence(text, from, anyTag: true) is { } fence; from = fence.ContentStart + fence.ContentLength + Fence.Length)
        {
            if (TryObject(text.Substring(fence.ContentStart, fence.ContentLength).Trim()) is { } fenced)
            {
                return fenced;
            }
        }

        int start = text.IndexOf('{', StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        for (int tries = 0, at = start; at >= 0 && tries < MaxObjectCandidates; tries++, at = text.IndexOf('{', at + 1))
        {
            int end = FindClose(text, at, '{', '}');
            if (end >= 0 && TryObject(text[at..(end + 1)]) is { } found)
            {
                return found;
            }
        }

        int last = text.LastIndexOf('}');
        if (last > start && TryObject(text[start..(last + 1)]) is { } greedy)
        {
            return greedy;
        }

        return TryParseStrict(Repair(text), out JsonNode? repaired) ? repaired as JsonObject : null;
    }

    /// <summary>Parses strict JSON into a detached <see cref="JsonNode"/>, keeping the last of duplicate keys.</summary>
    internal static bool TryParseStrict(string text, out JsonNode? node)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(text, s_strict);
            node = ToNode(document.RootElement);
            return true;
        }
        catch (JsonException)
        {
            node = null;
            return false;
        }
        catch (InvalidOperationException)
        {
            // A string with an unpaired surrogate escape cannot be read as UTF-16 text.
            node = null;
            return false;
        }
    }

    /// <summary>Parses strict JSON into a standalone element (its own exactly sized document, nothing pooled kept).</summary>
    private static bool TryParseStrictElement(string text, out JsonElement element)
    {
        try
        {
            element = JsonElement.Parse(text, s_strict);
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }

    /// <summary>
    /// Whether a parsed reply can be handed out as a <see cref="JsonObject"/> that wraps it (<see cref="JsonObject.Create(JsonElement, JsonNodeOptions?)"/>,
    /// which builds its properties only when first read) instead of a tree built up front: not when an object repeats a
    /// key (a wrapped object would throw when first read; the tree keeps the last), when a name is escaped (repeats are
    /// then compared on the raw text only), when a string escapes a surrogate (it may be unpaired, and then cannot be read
    /// as text), or when an object is too large or the nesting too deep to check cheaply.
    /// </summary>
    private static bool CanWrap(JsonElement element, int depth)
    {
        const int MaxDepth = 32;
        const int MaxProperties = 64;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth >= MaxDepth)
                {
                    return false;
                }

                int index = 0;
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    ReadOnlySpan<byte> name = JsonMarshal.GetRawUtf8PropertyName(property);
                    if (++index > MaxProperties || name.Contains((byte)'\\') || !CanWrap(property.Value, depth + 1))
                    {
                        return false;
                    }

                    int earlier = 0;
                    foreach (JsonProperty before in element.EnumerateObject())
                    {
                        if (++earlier >= index)
                        {
                            break;
                        }

                        if (name.SequenceEqual(JsonMarshal.GetRawUtf8PropertyName(before)))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case JsonValueKind.Array:
                if (depth >= MaxDepth)
                {
                    return false;
                }

                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (!CanWrap(item, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.String:
                return !EscapesASurrogate(JsonMarshal.GetRawUtf8Value(element));
            default:
                return true;
        }
    }

    /// <summary>Whether raw JSON string text holds a <c>\uD800</c>–<c>\uDFFF</c> escape.</summary>
    private static bool EscapesASurrogate(ReadOnlySpan<byte> raw)
    {
        for (int at = raw.IndexOf("\\u"u8); at >= 0; )
        {
            ReadOnlySpan<byte> hex = raw[(at + 2)..];
            if (hex.Length >= 2 && (hex[0] | 0x20) == 'd' && (char)(hex[1] | 0x20) is >= '8' and <= '9' or >= 'a' and <= 'f')
            {
                return true;
            }

            int next = hex.IndexOf("\\u"u8);
            at = next < 0 ? -1 : at + 2 + next;
        }

        return false;
    }

    private static JsonObject? TryObject(string candidate) =>
        TryParseStrict(candidate, out JsonNode? node) && node is JsonObject strict ? strict
        : TryParseStrict(Repair(candidate), out node) && node is JsonObject repaired ? repaired
        : null;

    private static JsonNode? ToNode(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    obj[property.Name] = ToNode(property.Value); // the indexer replaces, so the last duplicate wins
                }

                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    array.Add(ToNode(item));
                }

                return array;
            case JsonValueKind.String:
                return JsonValue.Create(element.GetString());
            case JsonValueKind.Number:
                return JsonValue.Create(element.Clone());
            case JsonValueKind.True:
                return JsonValue.Create(true);
            case JsonValueKind.False:
                return JsonValue.Create(false);
            default:
                return null;
        }
    }

    /// <summary>Finds the index of the bracket that closes the one at <paramref name="start"/>, skipping double-quoted strings; -1 when it never closes.</summary>
    private static int FindClose(string text, int start, char open, char close)
    {
        int depth = 0;
        bool inString = false;
        bool escaped = false;
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == open)
            {
                depth++;
            }
            else if (c == close && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The reference's greedy fallback: from the earliest <c>{</c> (or <c>[</c>) that has a <c>}</c> (or <c>]</c>) after it, to the last one.</summary>
    private static string? GreedySpan(string text)
    {
        int lastBrace = text.LastIndexOf('}');
        int lastBracket = text.LastIndexOf(']');
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '{' && lastBrace > i)
            {
                return text[i..(lastBrace + 1)].Trim();
            }

            if (text[i] == '[' && lastBracket > i)
            {
                return text[i..(lastBracket + 1)].Trim();
            }
        }

        return null;
    }

    /// <summary>
    /// Finds a fenced block at or after <paramref name="from"/>: three backticks, a tag (only a lower-case <c>json</c>
    /// unless <paramref name="anyTag"/>), optional whitespace, then the shortest content up to the next three backticks.
    /// </summary>
    private static Span? FindFence(string text, int from, bool anyTag)
    {
        if (from >= text.Length)
        {
            return null;
        }

        int open = text.IndexOf(Fence, from, StringComparison.Ordinal);
        if (open < 0)
        {
            return null;
        }

        int pos = open + Fence.Length;
        if (anyTag)
        {
            while (pos < text.Length && IsTagChar(text[pos]))
            {
                pos++;
            }
        }
        else if (string.CompareOrdinal(text, pos, "json", 0, 4) == 0)
        {
            pos += 4;
        }

        while (pos < text.Length && char.IsWhiteSpace(text[pos]))
        {
            pos++;
        }

        int close = text.IndexOf(Fence, pos, StringComparison.Ordinal);
        return close < 0 ? null : new Span(pos, close - pos);
    }

    private static bool IsTagChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+' or '.';

    [GeneratedRegex(@",\s*([}\]])", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingComma();

    [GeneratedRegex(@"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*:)", RegexOptions.CultureInvariant)]
    private static partial Regex BareKey();

    private readonly record struct Span(int ContentStart, int ContentLength);
}
