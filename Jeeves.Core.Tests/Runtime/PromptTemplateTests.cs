using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Jeeves.Runtime;

namespace Jeeves.Tests.Runtime;

public sealed class PromptTemplateTests
{
    private static readonly Dictionary<string, JsonNode?> Values = new()
    {
        ["name"] = "Ada",
        ["count"] = 3,
        ["ok"] = true,
        ["none"] = null,
        ["obj"] = new JsonObject { ["a"] = 1 },
    };

    [Test]
    public void Renders_placeholders_the_way_the_reference_formats_values()
    {
        var prompt = new PromptTemplate("p", "{name} has {count} ({ok}, {none}) {obj} {{literal}}", system: "You help {name}.");

        Assert.That(prompt.RenderUser(Values), Is.EqualTo("Ada has 3 (True, None) {\"a\":1} {literal}"));
        Assert.That(prompt.RenderSystem(Values), Is.EqualTo("You help Ada."));
        Assert.That(prompt.Placeholders, Is.EqualTo(new[] { "name", "count", "ok", "none", "obj" }));
    }

    [Test]
    public void A_missing_value_is_an_error_naming_the_placeholder()
    {
        var prompt = new PromptTemplate("p", "Hello {who}");

        var ex = Assert.Throws<KeyNotFoundException>(() => prompt.RenderUser(Values));

        Assert.That(ex!.Message, Is.EqualTo("Prompt placeholder '{who}' has no value in the prompt context."));
    }

    [TestCase("open {brace", "unclosed '{'")]
    [TestCase("stray } brace", "unmatched '}'")]
    [TestCase("{0}", "is not a placeholder name")]
    [TestCase("{a.b}", "is not a placeholder name")]
    [TestCase("{x:>10}", "is not a placeholder name")]
    public void Malformed_templates_are_refused_when_declared(string template, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new PromptTemplate("bad", template));

        Assert.That(ex!.Message, Does.StartWith("Prompt 'bad': ").And.Contain(message));
    }

    [TestCase("10.0", "9.0", 1)]
    [TestCase("1.2", "1.10", -1)]
    [TestCase("2", "2.0", 0)]
    [TestCase("1.0-beta", "1.0-alpha", 1)]
    public void Versions_compare_as_numbers(string left, string right, int sign) =>
        Assert.That(Math.Sign(PromptTemplate.CompareVersions(left, right)), Is.EqualTo(sign));

    [FsCheck.NUnit.Property]
    public Property A_template_without_placeholders_renders_to_itself_after_unescaping() =>
        Prop.ForAll(
            ArbMap.Default.ArbFor<NonNull<string>>(),
            s =>
            {
                string text = s.Get;
                string escaped = text.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);
                return new PromptTemplate("p", escaped).RenderUser(new Dictionary<string, JsonNode?>()) == text;
            });

    [FsCheck.NUnit.Property]
    public Property Rendering_reads_only_the_placeholders_the_template_names() =>
        Prop.ForAll(
            ArbMap.Default.ArbFor<NonNull<string>>(),
            s =>
            {
                var consulted = new RecordingDictionary { ["name"] = "x", ["other"] = "y" };
                string literal = s.Get.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);
                _ = new PromptTemplate("p", literal + "{name}" + literal).RenderUser(consulted);
                return consulted.Read.SetEquals(["name"]);
            });

    [Test]
    public void Citations_are_extracted_in_order_once_each()
    {
        List<string> citations = AgentExecutor.ExtractCitations("See [Weather.com] and [BBC News], again [Weather.com]; [Source [nested]]");

        Assert.That(citations, Is.EqualTo(new[] { "Weather.com", "BBC News", "Source [nested" }));
    }

    [FsCheck.NUnit.Property]
    public Property Citations_are_distinct_and_each_appears_bracketed_in_the_text() =>
        Prop.ForAll(
            ArbMap.Default.ArbFor<NonNull<string>>(),
            s =>
            {
                List<string> citations = AgentExecutor.ExtractCitations(s.Get);
                return citations.Distinct().Count() == citations.Count && citations.All(c => s.Get.Contains("[" + c + "]", StringComparison.Ordinal));
            });

    private sealed class RecordingDictionary : Dictionary<string, JsonNode?>, IReadOnlyDictionary<string, JsonNode?>
    {
        public HashSet<string> Read { get; } = [];

        bool IReadOnlyDictionary<string, JsonNode?>.TryGetValue(string key, out JsonNode? value)
        {
            _ = Read.Add(key);
            return TryGetValue(key, out value);
        }
    }
}
