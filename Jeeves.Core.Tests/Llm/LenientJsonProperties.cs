using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Jeeves.Llm;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Llm;

/// <summary>The JSON repair invariants of spec/runtime.md §12 (1-4), plus the object-only parser's.</summary>
public sealed class LenientJsonProperties
{
    /// <summary>Invariant 1: a serialized value parses back to itself, bare, padded with whitespace, or in a ```json fence.</summary>
    [Property(Arbitrary = new[] { typeof(LlmArbitraries) }, MaxTest = 500)]
    public Property ParseLenient_OfSerializedValue_ReturnsTheValue(JsonCase value)
    {
        string text = value.Node.ToJsonString();
        return JsonNode.DeepEquals(LenientJson.ParseLenient(text), value.Node).Label("bare")
            .And(JsonNode.DeepEquals(LenientJson.ParseLenient(" \n\t" + text + "\r\n "), value.Node).Label("padded"))
            .And(JsonNode.DeepEquals(LenientJson.ParseLenient("```json\n" + text + "\n```"), value.Node).Label("fenced"))
            .And(JsonNode.DeepEquals(LenientJson.ParseLenient("```\n" + text + "\n```"), value.Node).Label("fenced without tag"));
    }

    /// <summary>
    /// Invariant 2: an object between prose without brackets or backticks is found. Prose that turns the whole text into
    /// other valid JSON (a lone <c>"</c> on each side makes a JSON string) falls under invariant 3 instead: the strict parse wins.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(LlmArbitraries) }, MaxTest = 500)]
    public Property ParseLenient_ObjectInProse_ReturnsTheObject(ObjectCase value, Prose prose)
    {
        string text = prose.Text + value.Node.ToJsonString() + prose.Text;
        if (LenientJson.TryParseStrict(text, out JsonNode? strict) && !JsonNode.DeepEquals(strict, value.Node))
        {
            return JsonNode.DeepEquals(LenientJson.ParseLenient(text), strict).Label("the whole text is other JSON: its strict parse")
                .And((LenientJson.ParseObject(text) is null).Label("ParseObject accepts only a whole-text object"));
        }

        return JsonNode.DeepEquals(LenientJson.ParseLenient(text), value.Node).Label("ParseLenient")
            .And(JsonNode.DeepEquals(LenientJson.ParseObject(text), value.Node).Label("ParseObject"));
    }

    /// <summary>Invariant 3: repair is only a fallback; valid JSON always gives its strict parse, even with repair bait in strings.</summary>
    [Property(Arbitrary = new[] { typeof(LlmArbitraries) }, MaxTest = 500)]
    public bool ParseLenient_OfValidJson_EqualsTheStrictParse(TrickyJsonText json) =>
        JsonNode.DeepEquals(LenientJson.ParseLenient(json.Text), JsonNode.Parse(json.Text));

    /// <summary>Invariant 4: extraction returns null or a substring of the trimmed input.</summary>
    [Property(Arbitrary = new[] { typeof(LlmArbitraries) }, MaxTest = 1_000)]
    public bool ExtractJson_ReturnsNullOrASubstringOfTheTrimmedInput(JsonishText text) =>
        LenientJson.ExtractJson(text.Text) is not { } extracted || text.Text.Trim().Contains(extracted, StringComparison.Ordinal);

    /// <summary>The object-only parser never throws and returns only objects, whatever the text.</summary>
    [Property(Arbitrary = new[] { typeof(LlmArbitraries) }, MaxTest = 1_000)]
    public bool ParseObject_NeverThrows_AndReturnsNullOrAnObject(JsonishText text)
    {
        JsonObject? result = LenientJson.ParseObject(text.Text);
        _ = LenientJson.ParseLenient(text.Text);
        return result is null || result.GetValueKind() == System.Text.Json.JsonValueKind.Object;
    }

    /// <summary>An object inside a fence with any language tag, between any prose, is found by the object-only parser.</summary>
    [Property(Arbitrary = new[] { typeof(LlmArbitraries) }, MaxTest = 300)]
    public Property ParseObject_ObjectInAnyFence_ReturnsTheObject(ObjectCase value, Prose prose)
    {
        string json = value.Node.ToJsonString();
        return Prop.ForAll(
            Arb.From(Gen.Elements("json", "JSON", "js", "jsonc", string.Empty)),
            tag => JsonNode.DeepEquals(LenientJson.ParseObject(prose.Text + "\n```" + tag + "\n" + json + "\n```\n" + prose.Text), value.Node));
    }

    /// <summary>Repair never changes text without any comma, quote or bare key: digits and whitespace pass through.</summary>
    [Property(MaxTest = 200)]
    public bool Repair_OfTextWithoutTriggers_IsIdentity(PositiveInt n) =>
        LenientJson.Repair(n.Get.ToString(System.Globalization.CultureInfo.InvariantCulture) + " \n") == n.Get.ToString(System.Globalization.CultureInfo.InvariantCulture) + " \n";

    /// <summary>
    /// A reply that is an object is handed out wrapped when that is safe; whatever its keys (repeated, escaped) and strings
    /// (escaped surrogates, paired or not), the object reads exactly as the tree the strict parse builds (the last of a
    /// repeated key wins), and reading all of it never throws.
    /// </summary>
    [Property(MaxTest = 1_000)]
    public Property ParseObject_OfAnObjectText_ReadsAsTheStrictTree() =>
        Prop.ForAll(Arb.From(ObjectText(3)), text =>
        {
            JsonObject? parsed = LenientJson.ParseObject(text);
            string? written = parsed?.ToJsonString();           // reads every value
            if (!LenientJson.TryParseStrict(text, out JsonNode? tree))
            {
                return true.Label("not strict (an unpaired surrogate): only that it never throws");
            }

            return JsonNode.DeepEquals(parsed, tree).Label($"{text} -> {written}");
        });

    [Test]
    public void ParseObject_RepeatedKeysAtAnyDepth_KeepTheLastAndReadWithoutError()
    {
        JsonObject? parsed = LenientJson.ParseObject("""{"a":1,"a":2,"b":{"c":1,"c":3},"l":[{"x":1,"x":2}],"a":4}""");

        Assert.That(parsed?.ToJsonString(), Is.EqualTo("""{"a":4,"b":{"c":3},"l":[{"x":2}]}"""));
    }

    [Test]
    public void ParseObject_PlainObject_ReadsAndChangesLikeAnyObject()
    {
        JsonObject parsed = LenientJson.ParseObject("""{"step":"done","n":1,"nested":{"k":[1,2]}}""")!;

        parsed["extra"] = true;
        parsed["nested"]!["k"]!.AsArray().Add(3);

        Assert.That(parsed.ToJsonString(), Is.EqualTo("""{"step":"done","n":1,"nested":{"k":[1,2,3]},"extra":true}"""));
        Assert.That(parsed["n"]!.GetValue<int>(), Is.EqualTo(1));
    }

    private static Gen<string> ObjectText(int depth)
    {
        Gen<string> key = Gen.Elements("\"a\"", "\"a\"", "\"\\u0061\"", "\"b\"", "\"c\\\"q\"", "\"\u00e9\"");
        Gen<string> leaf = Gen.Elements("1", "2.50", "true", "null", "\"x\"", "\"\\ud800\"", "\"\\ud83d\\ude00\"", "\"\\\\ud800\"", "\"\\u00e9\"", "\"<tag>\"");
        Gen<string> value = depth <= 0
            ? leaf
            : Gen.Frequency((4, leaf), (1, ObjectText(depth - 1)), (1, ObjectText(depth - 1).ListOf().Select(items => "[" + string.Join(",", items.Take(3)) + "]")));
        return Gen.Zip(key, value).Select(p => p.Item1 + ":" + p.Item2).ListOf().Select(members => "{" + string.Join(",", members.Take(6)) + "}");
    }
}
