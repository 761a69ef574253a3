using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Jeeves.Tests.Llm;

/// <summary>A generated JSON value (never a top-level null).</summary>
public sealed record JsonCase(JsonNode Node)
{
    public override string ToString() => Node.ToJsonString();
}

/// <summary>A generated JSON object.</summary>
public sealed record ObjectCase(JsonObject Node)
{
    public override string ToString() => Node.ToJsonString();
}

/// <summary>Generated prose without braces, brackets or backticks.</summary>
public sealed record Prose(string Text)
{
    public override string ToString() => JsonSerializer.Serialize(Text);
}

/// <summary>Any text made of JSON-ish characters: brackets, quotes, escapes, fences, commas, whitespace.</summary>
public sealed record JsonishText(string Text)
{
    public override string ToString() => JsonSerializer.Serialize(Text);
}

/// <summary>A valid JSON text whose strings hold what repair would alter, printed compactly or indented, with the relaxed escaper.</summary>
public sealed record TrickyJsonText(string Text)
{
    public override string ToString() => Text;
}

/// <summary>A model name built from a known price key (or not) and a suffix.</summary>
public sealed record ModelName(string Value)
{
    public override string ToString() => Value;
}

/// <summary>FsCheck generators for the LLM properties.</summary>
public static class LlmArbitraries
{
    /// <summary>The built-in price keys other than <c>default</c>.</summary>
    public static readonly string[] PriceKeys =
        ["gpt-4", "gpt-4-turbo", "gpt-3.5-turbo", "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "claude-3-opus", "claude-3-sonnet", "claude-3-haiku"];

    private static readonly JsonSerializerOptions s_relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions s_relaxedIndented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    private static readonly Gen<char> s_textChar = Gen.Frequency(
        (6, Gen.Choose(32, 126).Select(c => (char)c)),
        (2, Gen.Elements('"', '\\', '{', '}', '[', ']', ',', ':', '\'', '`', ' ')),
        (1, Gen.Elements('\n', '\t', '\r', 'é', '€', 'ß', '\u2028', '\u00a0', '\u0001')));

    private static readonly Gen<string> s_string =
        Gen.ListOf(s_textChar).Select(cs => new string([.. cs])).Where(s => !s.Contains("```", StringComparison.Ordinal));

    private static readonly Gen<string> s_repairBait = Gen.Elements(", }", ", ]", "x: 1", "{a: 1}", "'q'", ",,}", "it's", "`", "[1, ]");

    public static Arbitrary<JsonCase> JsonCase() => Arb.From(Gen.Sized(size => Value(Math.Min(size, 24), s_string)).Select(n => new JsonCase(n)));

    public static Arbitrary<ObjectCase> ObjectCase() =>
        Arb.From(Gen.Sized(size => Object(Math.Min(size, 24), s_string)).Select(o => new ObjectCase(o)));

    public static Arbitrary<Prose> Prose() =>
        Arb.From(Gen.ListOf(s_textChar.Where(c => c is not ('{' or '}' or '[' or ']' or '`'))).Select(cs => new Prose(new string([.. cs]))));

    public static Arbitrary<JsonishText> JsonishText()
    {
        Gen<string> piece = Gen.Frequency(
            (4, s_textChar.Select(c => c.ToString())),
            (1, Gen.Elements("```", "```json\n", "\\\"", "{\"a\": 1}", "[1, 2]", "'k': ", "null")));
        return Arb.From(Gen.ListOf(piece).Select(ps => new JsonishText(string.Concat(ps))));
    }

    public static Arbitrary<TrickyJsonText> TrickyJsonText()
    {
        Gen<string> tricky = Gen.Frequency((1, s_string), (2, Gen.ListOf(s_repairBait).Select(string.Concat)));
        Gen<TrickyJsonText> text =
            from node in Gen.Sized(size => Value(Math.Min(size, 16), tricky))
            from indented in Gen.Elements(true, false)
            from pad in Gen.Elements(string.Empty, " ", "\n\t ")
            select new TrickyJsonText(pad + node.ToJsonString(indented ? s_relaxedIndented : s_relaxed) + pad);
        return Arb.From(text);
    }

    public static Arbitrary<ModelName> ModelName()
    {
        Gen<string> suffix = Gen.Elements(string.Empty, "-2024-08-06", "-preview", "x", "-mini", ".1", "-turbo", "-0613");
        Gen<string> head = Gen.Frequency((4, Gen.Elements(PriceKeys)), (1, Gen.Elements("llama3.2", "mistral", "default", "gpt", "claude", "GPT-4O")));
        return Arb.From(from h in head from s in suffix select new ModelName(h + s));
    }

    private static Gen<JsonNode> Value(int size, Gen<string> strings)
    {
        Gen<JsonNode> leaf = Gen.OneOf(
            strings.Select(s => (JsonNode)JsonValue.Create(s)),
            Gen.Elements(true, false).Select(b => (JsonNode)JsonValue.Create(b)),
            Gen.Choose(int.MinValue, int.MaxValue).Select(i => (JsonNode)JsonValue.Create((long)i * 3)),
            (from m in Gen.Choose(-1_000_000, 1_000_000) from e in Gen.Choose(-6, 6) select (JsonNode)JsonValue.Create(double.Parse(
                (m * Math.Pow(10, e)).ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))));
        if (size <= 1)
        {
            return leaf;
        }

        return Gen.Frequency(
            (3, leaf),
            (1, Array(size / 2, strings).Select(a => (JsonNode)a)),
            (1, Object(size / 2, strings).Select(o => (JsonNode)o)));
    }

    private static Gen<JsonNode?> Item(int size, Gen<string> strings) =>
        Gen.Frequency((8, Value(size, strings).Select(n => (JsonNode?)n)), (1, Gen.Constant<JsonNode?>(null)));

    private static Gen<JsonArray> Array(int size, Gen<string> strings) =>
        Gen.ListOf(Item(size, strings)).Select(items => new JsonArray([.. items.Take(6)]));

    private static Gen<JsonObject> Object(int size, Gen<string> strings) =>
        Gen.ListOf(from key in strings from value in Item(size, strings) select (key, value))
            .Select(pairs =>
            {
                var obj = new JsonObject();
                foreach ((string key, JsonNode? value) in pairs.Take(6))
                {
                    obj[key] = value;
                }

                return obj;
            });
}
