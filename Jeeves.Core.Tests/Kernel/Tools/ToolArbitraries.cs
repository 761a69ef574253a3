using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Jeeves.Tests.Kernel.Tools;

/// <summary>
/// The FsCheck generators of the tool property tests. Every public static method returning an
/// <see cref="Arbitrary{T}"/> is registered for its type by <c>[Property(Arbitrary = ...)]</c>.
/// </summary>
/// <remarks>
/// JSON values are generated as <see cref="JsonSample"/>s: the kind the test expects, and a recipe that builds the
/// node either from CLR values (<c>JsonValue.Create(5)</c>, <c>JsonValue.Create(5.0)</c>, <c>JsonValue.Create('a')</c>)
/// or by parsing JSON text, so both ways a caller can hand the kernel a value are covered. Names, enum values and
/// tool ids come from small pools with case variants, so that declared and supplied keys collide often.
/// </remarks>
public static class ToolArbitraries
{
    internal static readonly string[] ParameterNames = ["query", "max_results", "mode", "tags", "limit", "verbose", "Query", "é"];

    internal static readonly string[] ToolIds = ["search_web", "read_file", "write_file", "a", "B", "tool.v2", "z-9", "Search_web"];

    internal static readonly string[] HealthTools = ["alpha", "beta", "gamma"];

    /// <summary>The tools with executions and one that never has any.</summary>
    internal static readonly string[] RegistrableTools = ["alpha", "beta", "gamma", "delta"];

    internal static readonly string[] Agents = ["planner", "coder", "Coder", "reviewer"];

    internal static readonly string[] GrantableTools = ["search", "read_file", "write_file", "Search"];

    private static readonly string[] s_strings = ["", "a", "Z", "é", "asc", "desc", "Asc", "ASC", "x y", "名前", "😀", "tab\t", "quote\"", "line\nbreak", "5", "true", "null", "a|b"];

    private static readonly string[] s_enumValues = ["asc", "desc", "ASC", "a|b", "", "名"];

    private static readonly string[] s_unknownKeys = ["bogus", "", "extra key"];

    private static readonly string[] s_descriptions = ["", "Search the web for information", "Reads a file: (path) -> text", "  padded  ", "ünïcödé", "a:b(c)"];

    private static readonly string?[] s_errorTypes = [null, "Timeout", "ValueError", "timeout", "unknown"];

    private static readonly string[] s_nonIntegerLiterals =
        ["5.0", "-0.5", "1e3", "1E-2", "2.5e+10", "0.0", "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890"];

    private static readonly Gen<bool> s_bool = Gen.Elements(true, false);

    public static Arbitrary<JsonSample> Json() => Arb.From(AnyJson(2, clrChars: true));

    public static Arbitrary<ToolDefinition> Definitions() => Arb.From(EntryGen.Select(e => new ToolDefinition(e)));

    public static Arbitrary<ToolCall> Calls() => Arb.From(CallGen, ShrinkCall);

    public static Arbitrary<CatalogSample> Catalogs() => Arb.From(CatalogGen(6), c => ShrinkList(c.Entries).Select(e => new CatalogSample(e)));

    public static Arbitrary<ConflictingEntries> Conflicts() => Arb.From(
        from a in EntryGen
        from b in Gen.Frequency((3, MutationOf(a)), (1, EntryGen.Select(e => e with { Id = a.Id })))
        where !ToolModel.SameDefinition(a, b)
        select new ConflictingEntries(a, b));

    public static Arbitrary<MalformedEntry> Malformed() => Arb.From(
        from existing in CatalogGen(3)
        from flaw in Gen.Elements(Enum.GetValues<EntryFlaw>())
        from sameId in existing.Entries.Count == 0 ? Gen.Constant(false) : s_bool
        from baseEntry in EntryGen
        from taken in Gen.Elements(existing.Entries.Count == 0 ? new[] { baseEntry.Id } : existing.Entries.Select(e => e.Id).ToArray())
        from entry in Corrupt(sameId ? baseEntry with { Id = taken } : baseEntry, flaw)
        select new MalformedEntry(existing.Entries, entry, flaw));

    public static Arbitrary<AccessScript> AccessScripts() => Arb.From(ListGen(AccessOpGen, 40).Select(o => new AccessScript(o)), s => ShrinkList(s.Ops).Select(o => new AccessScript(o)));

    public static Arbitrary<HealthScenario> HealthScenarios() => Arb.From(
        from settings in SettingsGen
        from steps in ListGen(StepGen(settings), 40)
        from registeredCount in Gen.Choose(0, 4)
        from registered in Gen.ArrayOf(Gen.Elements(RegistrableTools), registeredCount)
        from finalAdvance in AdvanceGen(settings)
        select new HealthScenario(settings, steps, registered, finalAdvance),
        s => ShrinkList(s.Steps).Select(steps => new HealthScenario(s.Settings, steps, s.Registered, s.FinalAdvance)));

    public static Arbitrary<FailureLadder> Ladders() => Arb.From(
        from settings in SettingsGen
        where settings.MinCalls <= settings.WindowSize
        from calls in Gen.Choose(settings.MinCalls, settings.WindowSize)
        from latency in LatencyGen
        from failuresFirst in s_bool
        select new FailureLadder(settings, calls, latency, failuresFirst));

    /// <summary>Tool entries that register cleanly: distinct parameter names and defaults that fit their types.</summary>
    internal static Gen<ToolEntry> EntryGen =>
        from id in Gen.Elements(ToolIds)
        from description in Gen.Elements(s_descriptions)
        from count in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 5)))
        from names in Gen.Shuffle(ParameterNames)
        from parameters in Gen.CollectToArray(names.Take(count), ParameterGen)
        from category in Gen.Elements(Enum.GetValues<ToolCategory>())
        from semantic in Gen.Elements(Enum.GetValues<RiskSemantic>())
        from severity in Gen.Elements(Enum.GetValues<RiskSeverity>())
        select new ToolEntry
        {
            Id = id,
            Description = description,
            Parameters = parameters,
            Category = category,
            RiskSemantic = semantic,
            RiskSeverity = severity,
        };

    /// <summary>Primitive, enum and (nested) optional types.</summary>
    internal static Gen<ToolParameterType> TypeGen(int depth)
    {
        var choices = new List<(int, Gen<ToolParameterType>)>
        {
            (5, Gen.Elements(ToolParameterType.String, ToolParameterType.Int, ToolParameterType.Float, ToolParameterType.Bool, ToolParameterType.StringList)),
            (2, from n in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 3)))
                from values in Gen.ArrayOf(Gen.Elements(s_enumValues), n)
                select ToolParameterType.Enum(values)),
        };
        if (depth > 0)
        {
            choices.Add((2, TypeGen(depth - 1).Select(ToolParameterType.Optional)));
        }

        return Gen.Frequency(choices);
    }

    /// <summary>Any JSON value: null, booleans, integers, other numbers, strings, and arrays and objects of them.</summary>
    internal static Gen<JsonSample> AnyJson(int depth, bool clrChars)
    {
        Gen<JsonSample> leaf = Gen.Frequency(
            (1, Gen.Constant(JsonSample.Null)),
            (2, BoolGen),
            (3, IntegerGen),
            (3, NonIntegerGen),
            (4, StringGen(clrChars)));
        if (depth <= 0)
        {
            return leaf;
        }

        Gen<JsonSample> inner = AnyJson(depth - 1, clrChars);
        return Gen.Frequency((6, leaf), (1, ArrayGen(inner)), (1, ObjectGen(inner)));
    }

    /// <summary>Values that mostly fit <paramref name="type"/>; an enum without values gets some string.</summary>
    internal static Gen<JsonSample> ValueFor(ToolParameterType type, bool clrChars) => type.Kind switch
    {
        ToolParameterKind.String => StringGen(clrChars),
        ToolParameterKind.Int => IntegerGen,
        ToolParameterKind.Float => Gen.OneOf(IntegerGen, NonIntegerGen),
        ToolParameterKind.Bool => BoolGen,
        ToolParameterKind.StringList => ArrayGen(StringGen(clrChars)),
        ToolParameterKind.Enum when type.Values.Count > 0 => Gen.Elements(type.Values.ToArray()).SelectMany(v => StringSample(v, clrChars)),
        ToolParameterKind.Enum => StringGen(clrChars),
        _ => Gen.Frequency((1, Gen.Constant(JsonSample.Null)), (3, ValueFor(type.Inner!, clrChars))),
    };

    internal static Gen<IReadOnlyList<T>> ListGen<T>(Gen<T> element, int maxLength) =>
        from n in Gen.Sized(size => Gen.Choose(0, Math.Min(Math.Max(size, 1), maxLength)))
        from items in Gen.ArrayOf(element, n)
        select (IReadOnlyList<T>)items;

    /// <summary>Drops runs of elements, longest runs first.</summary>
    internal static IEnumerable<IReadOnlyList<T>> ShrinkList<T>(IReadOnlyList<T> list)
    {
        for (int run = list.Count / 2; run >= 1; run /= 2)
        {
            for (int start = 0; start + run <= list.Count; start += run)
            {
                yield return list.Take(start).Concat(list.Skip(start + run)).ToArray();
            }
        }
    }

    private static Gen<ToolParameter> ParameterGen(string name) =>
        from type in TypeGen(2)
        from description in Gen.Elements(s_descriptions)
        from hasDefault in Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true)))
        from value in ValueFor(type, clrChars: false)
        select new ToolParameter(name, type, description, hasDefault && ToolModel.Fits(type, value) ? value.Create() : null);

    private static Gen<JsonSample> BoolGen =>
        from b in s_bool
        from parsed in s_bool
        let text = b ? "true" : "false"
        select new JsonSample(JsonKind.Boolean, text, parsed ? "parsed" : "bool", parsed ? () => JsonNode.Parse(text) : () => JsonValue.Create(b));

    /// <summary>Integers from small to the edges of long and ulong, built from a CLR integral type that holds them or parsed.</summary>
    private static Gen<JsonSample> IntegerGen =>
        from value in Gen.Frequency(
            (4, Gen.Choose(-20, 20).Select(i => (BigInteger)i)),
            (2, Gen.Choose(-1_000_000, 1_000_000).Select(i => (BigInteger)i)),
            (1, Gen.Elements<BigInteger>(long.MinValue, long.MaxValue, (BigInteger)long.MaxValue + 1, ulong.MaxValue, int.MaxValue, (BigInteger)int.MaxValue + 1)))
        from how in Gen.Elements(IntegerBuilders(value))
        select new JsonSample(JsonKind.Integer, value.ToString(CultureInfo.InvariantCulture), how.Name, how.Create);

    private static (string Name, Func<JsonNode?> Create)[] IntegerBuilders(BigInteger value)
    {
        string text = value.ToString(CultureInfo.InvariantCulture);
        var builders = new List<(string, Func<JsonNode?>)> { ("parsed", () => JsonNode.Parse(text)) };
        if (value >= int.MinValue && value <= int.MaxValue)
        {
            builders.Add(("int", () => JsonValue.Create((int)value)));
        }

        if (value >= short.MinValue && value <= short.MaxValue)
        {
            builders.Add(("short", () => JsonValue.Create((short)value)));
        }

        if (value >= byte.MinValue && value <= byte.MaxValue)
        {
            builders.Add(("byte", () => JsonValue.Create((byte)value)));
        }

        if (value >= long.MinValue && value <= long.MaxValue)
        {
            builders.Add(("long", () => JsonValue.Create((long)value)));
        }

        if (value >= ulong.MinValue && value <= ulong.MaxValue)
        {
            builders.Add(("ulong", () => JsonValue.Create((ulong)value)));
        }

        return [.. builders];
    }

    /// <summary>Numbers that are not integers: fractions, exponents, integers out of 64-bit range, and any double or decimal built in code (5.0 included).</summary>
    private static Gen<JsonSample> NonIntegerGen => Gen.OneOf(
        Gen.Elements(s_nonIntegerLiterals).Select(text => new JsonSample(JsonKind.Number, text, "parsed", () => JsonNode.Parse(text))),
        from d in Gen.Frequency(
            (3, Gen.Elements(0.5, -2.25, 5.0, 0.0, 1e20, -1e-7, Math.PI, double.MaxValue)),
            (2, Gen.Choose(-1000, 1000).Select(i => i / 4.0)))
        select new JsonSample(JsonKind.Number, NumberText(d.ToString("R", CultureInfo.InvariantCulture)), "double", () => JsonValue.Create(d)),
        from m in Gen.Elements(5m, 1.25m, -0.001m, 0m)
        select new JsonSample(JsonKind.Number, NumberText(m.ToString(CultureInfo.InvariantCulture)), "decimal", () => JsonValue.Create(m)),
        from f in Gen.Elements(2.5f, -1f, 1e10f)
        select new JsonSample(JsonKind.Number, NumberText(f.ToString("R", CultureInfo.InvariantCulture)), "float", () => JsonValue.Create(f)));

    /// <summary>Writes a literal that parses back as a non-integer: <c>5</c> becomes <c>5.0</c>.</summary>
    private static string NumberText(string text) => text.AsSpan().IndexOfAny(".eE") >= 0 ? text : text + ".0";

    private static Gen<JsonSample> StringGen(bool clrChars) =>
        from s in Gen.Frequency(
            (3, Gen.Elements(s_strings)),
            (1, from n in Gen.Choose(0, 6)
                from chars in Gen.ArrayOf(Gen.Elements("abcXYZ019_ -é".ToCharArray()), n)
                select new string(chars)))
        from sample in StringSample(s, clrChars)
        select sample;

    /// <summary>A string built with <c>JsonValue.Create(string)</c>, parsed from its literal, or, for one UTF-16 unit, built from a <see cref="char"/>.</summary>
    private static Gen<JsonSample> StringSample(string s, bool clrChars)
    {
        string literal = JsonSerializer.Serialize(s);
        var choices = new List<JsonSample>
        {
            new(JsonKind.String, literal, "string", () => JsonValue.Create(s), s),
            new(JsonKind.String, literal, "parsed", () => JsonNode.Parse(literal), s),
        };
        if (clrChars && s.Length == 1 && !char.IsSurrogate(s[0]))
        {
            choices.Add(new(JsonKind.String, literal, "char", () => JsonValue.Create(s[0]), s));
        }

        return Gen.Elements(choices.ToArray());
    }

    private static Gen<JsonSample> ArrayGen(Gen<JsonSample> item) =>
        from n in Gen.Choose(0, 4)
        from items in Gen.ArrayOf(item, n)
        from parsed in s_bool
        let text = "[" + string.Join(",", items.Select(i => i.Json)) + "]"
        select new JsonSample(
            JsonKind.Array,
            text,
            parsed ? "parsed" : "built",
            parsed ? () => JsonNode.Parse(text) : () => new JsonArray(items.Select(i => i.Create()).ToArray()),
            items: items);

    private static Gen<JsonSample> ObjectGen(Gen<JsonSample> value) =>
        from keys in Gen.SubListOf(new[] { "a", "b", "query", "" })
        from values in Gen.ArrayOf(value, keys.Count)
        from parsed in s_bool
        let members = keys.Zip(values).ToArray()
        let text = "{" + string.Join(",", members.Select(m => JsonSerializer.Serialize(m.First) + ":" + m.Second.Json)) + "}"
        select new JsonSample(
            JsonKind.Object,
            text,
            parsed ? "parsed" : "built",
            parsed ? () => JsonNode.Parse(text) : () => BuildObject(members.Select(m => KeyValuePair.Create(m.First, m.Second))));

    internal static JsonObject BuildObject(IEnumerable<KeyValuePair<string, JsonSample>> members)
    {
        var obj = new JsonObject();
        foreach (KeyValuePair<string, JsonSample> m in members)
        {
            obj.Add(m.Key, m.Value.Create());
        }

        return obj;
    }

    /// <summary>A tool and a call to it: most declared parameters supplied, mostly with fitting values, plus some unknown keys, in any order.</summary>
    private static Gen<ToolCall> CallGen =>
        from tool in EntryGen
        from declared in Gen.CollectToArray(tool.Parameters, p =>
            from include in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
            from value in Gen.Frequency((5, ValueFor(p.Type, clrChars: true)), (1, AnyJson(1, clrChars: true)))
            select include ? KeyValuePair.Create(p.Name, value) : (KeyValuePair<string, JsonSample>?)null)
        from extraCount in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 2)))
        from extras in Gen.ArrayOf(
            from key in Gen.Elements(ParameterNames.Concat(s_unknownKeys).Where(k => tool.Parameters.All(p => p.Name != k)).ToArray())
            from value in AnyJson(1, clrChars: true)
            select KeyValuePair.Create(key, value),
            extraCount)
        from ordered in Gen.Shuffle(declared.OfType<KeyValuePair<string, JsonSample>>().Concat(extras).DistinctBy(kv => kv.Key))
        from parseWhole in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new ToolCall(tool, ordered, parseWhole);

    private static IEnumerable<ToolCall> ShrinkCall(ToolCall call) =>
        ShrinkList(call.Arguments).Select(a => new ToolCall(call.Tool, a, call.ParseWhole));

    private static Gen<CatalogSample> CatalogGen(int max) =>
        from count in Gen.Choose(0, max)
        from ids in Gen.Shuffle(ToolIds)
        from entries in Gen.CollectToArray(ids.Take(count), id => EntryGen.Select(e => e with { Id = id }))
        select new CatalogSample(entries);

    /// <summary>A near copy of <paramref name="entry"/> with the same id and one thing changed.</summary>
    private static Gen<ToolEntry> MutationOf(ToolEntry entry)
    {
        IReadOnlyList<ToolParameter> ps = entry.Parameters;
        var mutations = new List<Gen<ToolEntry>>
        {
            Gen.Constant(entry with { Description = entry.Description + "!" }),
            Gen.Constant(entry with { Category = (ToolCategory)(((int)entry.Category + 1) % Enum.GetValues<ToolCategory>().Length) }),
            Gen.Constant(entry with { RiskSeverity = (RiskSeverity)(((int)entry.RiskSeverity + 1) % 4) }),
            from p in ParameterGen(ParameterNames.First(n => ps.All(q => q.Name != n)))
            select entry with { Parameters = [.. ps, p] },
        };
        if (ps.Count > 0)
        {
            ToolParameter first = ps[0];
            mutations.Add(Gen.Constant(entry with { Parameters = ps.Take(ps.Count - 1).ToArray() }));
            mutations.Add(Gen.Constant(entry with { Parameters = [first with { Description = first.Description + "!" }, .. ps.Skip(1)] }));
            mutations.Add(Gen.Constant(entry with { Parameters = [first with { Type = ToolParameterType.Optional(first.Type) }, .. ps.Skip(1)] }));
        }

        if (ps.Count > 1)
        {
            mutations.Add(Gen.Constant(entry with { Parameters = ps.Reverse().ToArray() }));
        }

        return Gen.OneOf(mutations);
    }

    private static Gen<ToolEntry> Corrupt(ToolEntry entry, EntryFlaw flaw) => flaw switch
    {
        EntryFlaw.EmptyId => Gen.Constant(entry with { Id = string.Empty }),
        EntryFlaw.DuplicateParameterName =>
            from name in entry.Parameters.Count == 0 ? Gen.Elements(ParameterNames) : Gen.Elements(entry.Parameters.Select(p => p.Name).ToArray())
            from type in TypeGen(1)
            from at in Gen.Choose(0, entry.Parameters.Count)
            let parameters = entry.Parameters.Count == 0 ? new List<ToolParameter> { new(name, ToolParameterType.String) } : entry.Parameters.ToList()
            select entry with { Parameters = [.. parameters.Take(at), new ToolParameter(name, type), .. parameters.Skip(at)] },
        EntryFlaw.DefaultOfWrongType =>
            from type in TypeGen(2)
            from bad in AnyJson(1, clrChars: false).Where(v => v.Kind != JsonKind.Null && !ToolModel.Fits(type, v))
            from name in Gen.Elements(ParameterNames)
            let others = entry.Parameters.Where(p => p.Name != name)
            select entry with { Parameters = [.. others, new ToolParameter(name, type, "bad default", bad.Create())] },
        EntryFlaw.UndefinedCategory => Gen.Elements(-1, 10, 99).Select(v => entry with { Category = (ToolCategory)v }),
        EntryFlaw.UndefinedRiskSemantic => Gen.Elements(-1, 3, 42).Select(v => entry with { RiskSemantic = (RiskSemantic)v }),
        _ => Gen.Elements(-1, 4, 42).Select(v => entry with { RiskSeverity = (RiskSeverity)v }),
    };

    private static Gen<AccessOp> AccessOpGen => Gen.Frequency(
        (4, from agent in Gen.Elements(Agents)
            from n in Gen.Choose(0, 3)
            from tools in Gen.ArrayOf(Gen.Elements(GrantableTools), n)
            select new AccessOp(AccessOpKind.Grant, agent, tools)),
        (3, from agent in Gen.Elements(Agents)
            from tool in Gen.Elements(GrantableTools)
            select new AccessOp(AccessOpKind.Revoke, agent, [tool])),
        (1, Gen.Elements(Agents).Select(agent => new AccessOp(AccessOpKind.Clear, agent, []))));

    /// <summary>Small windows and thresholds; circuit windows in whole seconds or in milliseconds.</summary>
    private static Gen<HealthSettings> SettingsGen =>
        from windowSize in Gen.Choose(1, 10)
        from minCalls in Gen.Choose(1, 8)
        from threshold in Gen.Choose(1, 6)
        from circuitMs in Gen.Frequency((1, Gen.Choose(1, 30).Select(s => s * 1000)), (1, Gen.Choose(1, 30_000)))
        from rateHealthy in Gen.Elements(0.95, 0.8, 0.5, 1.0, 0.0, 0.75)
        from rateDegraded in Gen.Elements(0.8, 0.5, 0.0, 0.9)
        from latencyHealthy in Gen.Elements(0, 100, 2000)
        from latencyDegraded in Gen.Elements(100, 3000, 5000)
        select new HealthSettings(windowSize, minCalls, threshold, TimeSpan.FromMilliseconds(circuitMs), rateHealthy, rateDegraded, latencyHealthy, latencyDegraded);

    private static Gen<int> LatencyGen => Gen.Frequency(
        (3, Gen.Elements(0, 100, 1999, 2000, 2001, 3000, 5000, 5001)),
        (1, Gen.Choose(0, 8000)));

    /// <summary>Time steps that often land exactly on, one tick before or one tick after the circuit window.</summary>
    private static Gen<TimeSpan> AdvanceGen(HealthSettings settings) => Gen.Frequency(
        (4, Gen.Constant(TimeSpan.Zero)),
        (3, Gen.Choose(1, 5000).Select(ms => TimeSpan.FromMilliseconds(ms))),
        (2, Gen.Elements(-1, 0, 1).Select(d => settings.CircuitWindow + TimeSpan.FromTicks(d))),
        (1, Gen.Elements(-1, 1).Select(d => settings.CircuitWindow + TimeSpan.FromMilliseconds(d))));

    private static Gen<ExecutionStep> StepGen(HealthSettings settings) =>
        from tool in Gen.Frequency((3, Gen.Constant(HealthTools[0])), (2, Gen.Constant(HealthTools[1])), (1, Gen.Constant(HealthTools[2])))
        from success in Gen.Frequency((2, Gen.Constant(true)), (1, Gen.Constant(false)))
        from latency in LatencyGen
        from errorType in Gen.Elements(s_errorTypes)
        from advance in AdvanceGen(settings)
        select new ExecutionStep(tool, success, latency, errorType, advance);
}

/// <summary>The JSON kinds the validator tells apart. <see cref="Integer"/> and <see cref="Number"/> are disjoint.</summary>
#pragma warning disable CA1720 // The members name JSON kinds, as System.Text.Json's JsonValueKind does.
public enum JsonKind
{
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
}
#pragma warning restore CA1720

/// <summary>A JSON value with what the test expects of it, and a recipe that builds a fresh node each time.</summary>
public sealed class JsonSample
{
    private readonly Func<JsonNode?> _create;
    private readonly string _how;

    internal JsonSample(JsonKind kind, string json, string how, Func<JsonNode?> create, string? text = null, IReadOnlyList<JsonSample>? items = null)
    {
        Kind = kind;
        Json = json;
        _how = how;
        _create = create;
        Text = text;
        Items = items ?? [];
    }

    internal static JsonSample Null { get; } = new(JsonKind.Null, "null", "null", static () => null);

    public JsonKind Kind { get; }

    /// <summary>Gets JSON text that parses back to a value of the same kind.</summary>
    public string Json { get; }

    /// <summary>Gets the value of a string.</summary>
    public string? Text { get; }

    /// <summary>Gets the items of an array.</summary>
    public IReadOnlyList<JsonSample> Items { get; }

    public JsonNode? Create() => _create();

    public override string ToString() => $"{Json} ({_how})";
}

/// <summary>A valid tool entry.</summary>
public sealed record ToolDefinition(ToolEntry Entry)
{
    public override string ToString() => ToolModel.Describe(Entry);
}

/// <summary>A tool and the arguments of one call to it, built into an object in the given order or parsed from its text.</summary>
public sealed class ToolCall(ToolEntry tool, IReadOnlyList<KeyValuePair<string, JsonSample>> arguments, bool parseWhole)
{
    public ToolEntry Tool { get; } = tool;

    public IReadOnlyList<KeyValuePair<string, JsonSample>> Arguments { get; } = arguments;

    public bool ParseWhole { get; } = parseWhole;

    public string Json => "{" + string.Join(",", Arguments.Select(a => JsonSerializer.Serialize(a.Key) + ":" + a.Value.Json)) + "}";

    public JsonObject CreateParameters() => ParseWhole ? JsonNode.Parse(Json)!.AsObject() : ToolArbitraries.BuildObject(Arguments);

    public override string ToString() =>
        $"{ToolModel.Describe(Tool)} called with {(ParseWhole ? Json + " (parsed)" : "{" + string.Join(", ", Arguments.Select(a => $"{a.Key}: {a.Value}")) + "}")}";
}

/// <summary>Valid entries with distinct ids.</summary>
public sealed record CatalogSample(IReadOnlyList<ToolEntry> Entries)
{
    public override string ToString() => "[" + string.Join("; ", Entries.Select(ToolModel.Describe)) + "]";
}

/// <summary>Two valid entries with the same id that differ in some field.</summary>
public sealed record ConflictingEntries(ToolEntry First, ToolEntry Second)
{
    public override string ToString() => $"{ToolModel.Describe(First)} then {ToolModel.Describe(Second)}";
}

public enum EntryFlaw
{
    EmptyId,
    DuplicateParameterName,
    DefaultOfWrongType,
    UndefinedCategory,
    UndefinedRiskSemantic,
    UndefinedRiskSeverity,
}

/// <summary>A catalog of valid entries and an entry with one flaw, sometimes with the id of an existing entry.</summary>
public sealed record MalformedEntry(IReadOnlyList<ToolEntry> Existing, ToolEntry Entry, EntryFlaw Flaw)
{
    public override string ToString() => $"{Flaw}: {ToolModel.Describe(Entry)} into [{string.Join("; ", Existing.Select(e => e.Id))}]";
}

public enum AccessOpKind
{
    Grant,
    Revoke,
    Clear,
}

public sealed record AccessOp(AccessOpKind Kind, string Agent, IReadOnlyList<string> Tools)
{
    public override string ToString() => Kind switch
    {
        AccessOpKind.Grant => $"Grant({Agent}, [{string.Join(", ", Tools)}])",
        AccessOpKind.Revoke => $"Revoke({Agent}, {Tools[0]})",
        _ => $"Clear({Agent})",
    };
}

public sealed record AccessScript(IReadOnlyList<AccessOp> Ops)
{
    public override string ToString() => string.Join("; ", Ops);
}

/// <summary>Health thresholds; applied to <see cref="ToolHealthOptions"/>.</summary>
public sealed record HealthSettings(
    int WindowSize, int MinCalls, int Threshold, TimeSpan CircuitWindow, double RateHealthy, double RateDegraded, int LatencyHealthyMs, int LatencyDegradedMs)
{
    public ToolHealthOptions ToOptions()
    {
        var options = new ToolHealthOptions();
        ApplyTo(options);
        return options;
    }

    public void ApplyTo(ToolHealthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.WindowSize = WindowSize;
        options.MinCallsForAssessment = MinCalls;
        options.CircuitBreakErrorThreshold = Threshold;
        options.CircuitBreakWindow = CircuitWindow;
        options.SuccessRateHealthy = RateHealthy;
        options.SuccessRateDegraded = RateDegraded;
        options.LatencyHealthy = TimeSpan.FromMilliseconds(LatencyHealthyMs);
        options.LatencyDegraded = TimeSpan.FromMilliseconds(LatencyDegradedMs);
    }
}

/// <summary>Advance the clock, then record one execution.</summary>
public sealed record ExecutionStep(string Tool, bool Success, int LatencyMs, string? ErrorType, TimeSpan Advance)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"+{Advance.Ticks}t {Tool} {(Success ? "ok" : "fail:" + (ErrorType ?? "-"))} {LatencyMs}ms");
}

/// <summary>Executions of a few tools over time, the catalog's tool names (duplicates allowed), and a last clock step.</summary>
public sealed record HealthScenario(HealthSettings Settings, IReadOnlyList<ExecutionStep> Steps, IReadOnlyList<string> Registered, TimeSpan FinalAdvance)
{
    public override string ToString() =>
        $"{Settings}; registered [{string.Join(", ", Registered)}]; steps [{string.Join("; ", Steps)}]; then +{FinalAdvance.Ticks}t";
}

/// <summary><see cref="Calls"/> executions at one latency, with 0, 1, ... <see cref="Calls"/> of them failing.</summary>
public sealed record FailureLadder(HealthSettings Settings, int Calls, int LatencyMs, bool FailuresFirst);

/// <summary>What the tests expect of tool types, independently of the library.</summary>
internal static class ToolModel
{
    public static bool Fits(ToolParameterType type, JsonSample value) => type.Kind switch
    {
        ToolParameterKind.String => value.Kind == JsonKind.String,
        ToolParameterKind.Int => value.Kind == JsonKind.Integer,
        ToolParameterKind.Float => value.Kind is JsonKind.Integer or JsonKind.Number,
        ToolParameterKind.Bool => value.Kind == JsonKind.Boolean,
        ToolParameterKind.StringList => value.Kind == JsonKind.Array && value.Items.All(i => i.Kind == JsonKind.String),
        ToolParameterKind.Enum => value.Kind == JsonKind.String && type.Values.Contains(value.Text, StringComparer.Ordinal),
        _ => value.Kind == JsonKind.Null || Fits(type.Inner!, value),
    };

    /// <summary>A call must supply the parameter: no default, and the type is not optional.</summary>
    public static bool IsRequired(ToolParameter p) => p.Default is null && p.Type.Kind != ToolParameterKind.Optional;

    public static string Display(ToolParameterType type) => type.Kind switch
    {
        ToolParameterKind.String => "string",
        ToolParameterKind.Int => "integer",
        ToolParameterKind.Float => "number",
        ToolParameterKind.Bool => "boolean",
        ToolParameterKind.StringList => "string[]",
        ToolParameterKind.Enum => "enum(" + string.Join("|", type.Values) + ")",
        _ => Display(type.Inner!) + "?",
    };

    public static bool SameType(ToolParameterType a, ToolParameterType b) =>
        a.Kind == b.Kind && a.Values.SequenceEqual(b.Values, StringComparer.Ordinal) &&
        (a.Inner is null ? b.Inner is null : b.Inner is not null && SameType(a.Inner, b.Inner));

    /// <summary>Every field equal; defaults compared as JSON.</summary>
    public static bool SameDefinition(ToolEntry a, ToolEntry b) =>
        a.Id == b.Id && a.Description == b.Description && a.Category == b.Category && a.RiskSemantic == b.RiskSemantic &&
        a.RiskSeverity == b.RiskSeverity && a.Parameters.Count == b.Parameters.Count &&
        a.Parameters.Zip(b.Parameters).All(p =>
            p.First.Name == p.Second.Name && p.First.Description == p.Second.Description && SameType(p.First.Type, p.Second.Type) &&
            JsonNode.DeepEquals(p.First.Default, p.Second.Default));

    /// <summary>A fresh entry equal field by field: new lists, rebuilt types, defaults re-parsed from their text.</summary>
    public static ToolEntry Copy(ToolEntry e) => new()
    {
        Id = new string(e.Id.AsSpan()),
        Description = new string(e.Description.AsSpan()),
        Parameters = e.Parameters
            .Select(p => new ToolParameter(p.Name, CopyType(p.Type), p.Description, p.Default is null ? null : JsonNode.Parse(p.Default.ToJsonString())))
            .ToList(),
        Category = e.Category,
        RiskSemantic = e.RiskSemantic,
        RiskSeverity = e.RiskSeverity,
    };

    public static string Describe(ToolEntry e)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{e.Id}({e.Category}/{e.RiskSemantic}/{e.RiskSeverity} \"{e.Description}\"");
        foreach (ToolParameter p in e.Parameters)
        {
            sb.Append(CultureInfo.InvariantCulture, $", {p.Name}: {Display(p.Type)}");
            if (p.Default is not null)
            {
                sb.Append(" = ").Append(p.Default.ToJsonString());
            }
        }

        return sb.Append(')').ToString();
    }

    private static ToolParameterType CopyType(ToolParameterType t) => t.Kind switch
    {
        ToolParameterKind.Enum => ToolParameterType.Enum(t.Values.Select(v => new string(v.AsSpan())).ToArray()),
        ToolParameterKind.Optional => ToolParameterType.Optional(CopyType(t.Inner!)),
        _ => t,
    };
}
