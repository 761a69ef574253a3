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
}
