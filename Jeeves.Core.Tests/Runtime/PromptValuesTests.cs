using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Jeeves.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Runtime;

/// <summary>
/// The values a prompt sees while an agent runs are looked up by name; these tests hold that lookup to the runtime spec's
/// §3.2 definition, written here the way the reference builds it: one dictionary, filled in order.
/// </summary>
public sealed class PromptValuesTests
{
    private static readonly string[] Names = ["raw_input", "user_input", "user_id", "session_id", "session_state", "role_description", "intent", "plan", "a", "b"];

    private FakeTimeProvider _time = null!;
    private IKernelClient _kernel = null!;
    private CapabilityDefinition _capability = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(TestKernel.Epoch);
        _kernel = KernelClient.CreateInProcess(timeProvider: _time);
        _capability = RuntimeTestKit.Capability(new PipelineConfig { Name = "p", Stages = [new PipelineStage("s", "writer")] }, RuntimeTestKit.Code("writer", _ => []));
    }

    [TearDown]
    public async Task TearDown() => await _kernel.DisposeAsync();

    [Test]
    public void Base_keys_come_from_the_envelope_and_the_agent()
    {
        AgentContext context = Context([], []);

        Assert.That(Render(context, "{raw_input}|{user_input}|{user_query}|{user_id}|{session_id}|{session_state}"), Is.EqualTo("plan a trip|plan a trip|plan a trip|ada|s1|Session: s1"));
        Assert.That(Render(context, "{role_description}"), Is.EqualTo("As the writer agent in this pipeline stage."));
    }

    [Test]
    public void An_unknown_name_is_an_error_naming_it()
    {
        KeyNotFoundException? error = Assert.Throws<KeyNotFoundException>(() => Render(Context([], [("intent", new JsonObject { ["x"] = 1 })]), "{missing}"));

        Assert.That(error?.Message, Does.Contain("'{missing}'"));
    }

    [Test]
    public void State_wins_over_outputs_and_outputs_over_base_keys_but_fields_never_shadow_base_keys()
    {
        AgentContext context = Context(
            [("plan", "from state")],
            [
                ("intent", new JsonObject { ["plan"] = "from intent", ["user_id"] = "not a user", ["mood"] = "calm" }),
                ("user_id", new JsonObject { ["a"] = 1 }),
            ]);

        Assert.That(Render(context, "{plan}"), Is.EqualTo("from state"));
        Assert.That(Render(context, "{mood}"), Is.EqualTo("calm"));
        Assert.That(Render(context, "{user_id}"), Is.EqualTo("""{"a":1}"""), "an output keyed like a base key replaces it");
        Assert.That(Render(context, "{intent}"), Is.EqualTo("""{"plan":"from intent","user_id":"not a user","mood":"calm"}"""));
    }

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property Every_name_renders_as_the_reference_dictionary_would_render_it() =>
        Prop.ForAll(
            Values().ArrayOf().ToArbitrary(),
            Gen.Zip(Gen.Elements(Names), Values().ArrayOf()).ArrayOf().ToArbitrary(),
            (state, outputs) =>
            {
                (string, JsonNode?)[] stateValues = [.. state.DistinctBy(v => v.Name).Select(v => (v.Name, v.Value))];
                (string, JsonObject)[] outputValues = [.. outputs.DistinctBy(o => o.Item1).Select(o => (o.Item1, Object(o.Item2)))];
                AgentContext context = Context(stateValues, outputValues);
                Dictionary<string, JsonNode?> reference = ReferenceValues(context);
                foreach (string name in Names.Append("user_query").Append("missing"))
                {
                    string template = "<{" + name + "}>";
                    string expected = reference.TryGetValue(name, out JsonNode? value) ? "<" + PromptTemplate.FormatValue(value) + ">" : "error";
                    string actual;
                    try
                    {
                        actual = Render(context, template);
                    }
                    catch (KeyNotFoundException)
                    {
                        actual = "error";
                    }

                    if (actual != expected)
                    {
                        return false.Label($"{name}: expected {expected}, got {actual}");
                    }
                }

                return true.Label("all equal");
            });

    /// <summary>The §3.2 construction: base keys, then each output under its key followed by its fields (never over a base key), then the state.</summary>
    private static Dictionary<string, JsonNode?> ReferenceValues(AgentContext context)
    {
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["raw_input"] = context.Input,
            ["user_input"] = context.Input,
            ["user_query"] = context.Input,
            ["user_id"] = context.UserId,
            ["session_id"] = context.SessionId,
            ["session_state"] = "Session: " + context.SessionId,
            ["role_description"] = $"As the {context.Agent.Name} agent in this pipeline stage.",
        };

        foreach ((string key, JsonObject output) in context.Outputs)
        {
            values[key] = output;
            foreach ((string field, JsonNode? value) in output)
            {
                if (!PromptValues.BaseKeys.Contains(field))
                {
                    values[field] = value;
                }
            }
        }

        foreach ((string key, JsonNode? value) in context.State)
        {
            values[key] = value;
        }

        return values;
    }

    private static Gen<(string Name, JsonNode? Value)> Values() =>
        Gen.Zip(
            Gen.Elements(Names),
            Gen.OneOf(
                Gen.Elements("x", "y z", string.Empty).Select(s => (JsonNode?)JsonValue.Create(s)),
                Gen.Choose(-5, 5).Select(i => (JsonNode?)JsonValue.Create(i)),
                Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
                Gen.Constant<JsonNode?>(null)));

    private static JsonObject Object((string Name, JsonNode? Value)[] fields)
    {
        var o = new JsonObject();
        foreach ((string name, JsonNode? value) in fields)
        {
            o[name] = value?.DeepClone();
        }

        return o;
    }

    private static string Render(AgentContext context, string template) =>
        new PromptTemplate("t", template).RenderUser(new PromptValues(context));

    private AgentContext Context((string Name, JsonNode? Value)[] state, (string Key, JsonObject Output)[] outputs)
    {
        var stateObject = new JsonObject();
        foreach ((string name, JsonNode? value) in state)
        {
            stateObject[name] = value?.DeepClone();
        }

        var pid = new ProcessId("p1");
        var run = new RunState(_kernel, _capability, _capability.Pipelines["p"], pid, stateObject, TimeSpan.FromSeconds(1), NullRunEventSink.Instance, _time, NullLogger.Instance, CancellationToken.None);
        foreach ((string key, JsonObject output) in outputs)
        {
            run.Outputs[key] = output;
        }

        Envelope envelope = Envelope.Create(_time.GetUtcNow(), new CreateEnvelopeOptions { RawInput = "plan a trip", UserId = "ada", SessionId = "s1" });
        return new AgentContext(run, _capability.Agents["writer"], "s", envelope);
    }
}
