using System.Text.Json.Nodes;
using Jeeves.Llm;

namespace Jeeves.Tests.Llm;

/// <summary>The reference's JSON repair behaviours (spec/runtime.md §10.1) and the object-only parser of quirk Q10.</summary>
public sealed class LenientJsonTests
{
    private static JsonNode? J(string json) => JsonNode.Parse(json);

    [TestCase("Here you go:\n```json\n{\"a\": 1}\n```\nDone.", "{\"a\": 1}")]
    [TestCase("```\n[1, 2]\n```", "[1, 2]")]
    [TestCase("```json not json at all ``` {\"a\": 1}", "not json at all")]
    [TestCase("  prefix {\"a\": {\"b\": \"}\"}} suffix  ", "{\"a\": {\"b\": \"}\"}}")]
    [TestCase("see [1, {\"x\": 2}] and {\"y\": 3}", "[1, {\"x\": 2}]")]
    [TestCase("obj {\"a\": [1, 2]} then [3]", "{\"a\": [1, 2]}")]
    [TestCase("escaped {\"q\": \"a\\\"}\"} end", "{\"q\": \"a\\\"}\"}")]
    [TestCase("unbalanced { \"a\": 1 } } {", "{ \"a\": 1 }")]
    [TestCase("no json here", null)]
    public void ExtractJson_FollowsTheReferenceRules(string text, string? expected) =>
        Assert.That(LenientJson.ExtractJson(text), Is.EqualTo(expected));

    [Test]
    public void ExtractJson_NestedBraces_ReturnsTheBalancedSpan() =>
        Assert.That(LenientJson.ExtractJson("x {\"a\": {\"b\": 1} tail }"), Is.EqualTo("{\"a\": {\"b\": 1} tail }"));

    [Test]
    public void ExtractJson_NeverClosed_FallsBackGreedilyOrGivesNull()
    {
        Assert.That(LenientJson.ExtractJson("{{ \"a\": 1 }"), Is.EqualTo("{{ \"a\": 1 }"));
        Assert.That(LenientJson.ExtractJson("{ \"a\": 1"), Is.Null);
    }

    [TestCase("{\"a\": 1,}", "{\"a\": 1}")]
    [TestCase("[1, 2, ]", "[1, 2]")]
    [TestCase("{'a': 'b'}", "{\"a\": \"b\"}")]
    [TestCase("{'a': \"b's\"}", "{'a': \"b's\"}")]
    [TestCase("{a: 1, b_2: {c: 3}}", "{\"a\": 1, \"b_2\": {\"c\": 3}}")]
    [TestCase(",,}", ",}")]
    public void Repair_AppliesTheThreeRules(string text, string expected) =>
        Assert.That(LenientJson.Repair(text), Is.EqualTo(expected));

    [Test]
    public void Repair_IsNotIdempotent_AsInTheReference() =>
        Assert.That(LenientJson.Repair(LenientJson.Repair(",,}")), Is.EqualTo("}"));

    [TestCase("{\"a\": 1}", "{\"a\": 1}")]
    [TestCase("  [1, 2]  ", "[1, 2]")]
    [TestCase("42", "42")]
    [TestCase("\"text\"", "\"text\"")]
    [TestCase("true", "true")]
    [TestCase("Sure! {intent: 'general', topic: 'greeting',}", "{\"intent\": \"general\", \"topic\": \"greeting\"}")]
    [TestCase("```json\n{\"a\": [1, 2,],}\n```", "{\"a\": [1, 2]}")]
    [TestCase("See [1] then {\"a\": 1}", "[1]")]
    [TestCase("{\"a\": 1, \"a\": 2}", "{\"a\": 2}")]
    public void ParseLenient_ReturnsTheReferenceValue(string text, string expected) =>
        Assert.That(JsonNode.DeepEquals(LenientJson.ParseLenient(text), J(expected)), Is.True);

    [TestCase("null")]
    [TestCase("NaN")]
    [TestCase("{\"a\": NaN}")]
    [TestCase("{\"a\": Infinity}")]
    [TestCase("just words")]
    [TestCase("")]
    [TestCase("```JSON\n{\"a\": 1}\n```")]
    public void ParseLenient_GivesNull_ForNullNonFiniteNumbersProseAndUpperCaseFences(string text) =>
        Assert.That(LenientJson.ParseLenient(text), Is.Null);

    [TestCase("See [1] then {\"a\": 1}", "{\"a\": 1}")]
    [TestCase("```JSON\n{\"a\": 1}\n```", "{\"a\": 1}")]
    [TestCase("```js\n{a: 1,}\n```", "{\"a\": 1}")]
    [TestCase("```python\nprint(1)\n```\nAnswer: {\"a\": 1}", "{\"a\": 1}")]
    [TestCase("```json\nnot json\n``` but here {\"b\": 2}", "{\"b\": 2}")]
    [TestCase("{not json} and then {\"c\": 3}", "{\"c\": 3}")]
    [TestCase("The plan: {\"steps\": [\"a\", \"b\"], \"note\": \"use {x}\"} ok?", "{\"steps\": [\"a\", \"b\"], \"note\": \"use {x}\"}")]
    [TestCase("{'intent': 'general'}", "{\"intent\": \"general\"}")]
    public void ParseObject_FindsTheObject(string text, string expected) =>
        Assert.That(JsonNode.DeepEquals(LenientJson.ParseObject(text), J(expected)), Is.True, LenientJson.ParseObject(text)?.ToJsonString());

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("[1, 2]")]
    [TestCase("[{\"a\": 1}]")]
    [TestCase("42")]
    [TestCase("\"{\\\"a\\\": 1}\"")]
    [TestCase("Mock response")]
    [TestCase("{ \"a\": ")]
    public void ParseObject_GivesNull_WhenThereIsNoObject(string? text) =>
        Assert.That(LenientJson.ParseObject(text), Is.Null);

    [Test]
    public void ParseLenient_ResultIsDetached_AndMutable()
    {
        JsonObject result = (JsonObject)LenientJson.ParseLenient("{\"a\": {\"b\": 1}}")!;

        result["a"]!["c"] = 2;
        JsonNode? inner = result["a"];
        result.Remove("a");
        var moved = new JsonObject { ["moved"] = inner };

        Assert.That(moved.ToJsonString(), Is.EqualTo("{\"moved\":{\"b\":1,\"c\":2}}"));
    }

    [Test]
    public void ParseLenient_DeeplyNested_IsRejectedNotCrashed()
    {
        string deep = new string('[', 10_000) + new string(']', 10_000);

        Assert.That(LenientJson.ParseLenient(deep), Is.Null);
        Assert.That(LenientJson.ParseObject("{\"a\": " + deep + "}"), Is.Null);
    }

    [Test]
    public void Methods_RejectNull()
    {
        Assert.Throws<ArgumentNullException>(() => LenientJson.ExtractJson(null!));
        Assert.Throws<ArgumentNullException>(() => LenientJson.Repair(null!));
        Assert.Throws<ArgumentNullException>(() => LenientJson.ParseLenient(null!));
    }
}
