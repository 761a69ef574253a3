using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>
/// Reads the fixed request schemas strictly (ipc.md §3.2, §5.5, §5.10, §5.11): every required key must be present
/// with its type, <c>null</c> only where a field is optional, unknown keys are ignored. Failures are
/// <see cref="KernelErrorCode.InvalidArgument"/> with the reference's serde-style detail after a per-schema prefix,
/// for example <c>validation error: Invalid tool entry: missing field `category`</c>.
/// </summary>
internal static class IpcSchemas
{
    private static readonly string[] s_paramTypeVariants = ["string", "int", "float", "bool", "string_list", "enum", "optional"];
    private static readonly string[] s_kinds = ["clarification", "confirmation", "agent_review", "checkpoint", "resource_exhausted", "timeout", "system_error"];
    private static readonly string[] s_categories = ["read", "write", "execute", "network", "system", "unified", "composite", "resilient", "standalone", "internal"];
    private static readonly string[] s_semantics = ["read_only", "write", "destructive"];
    private static readonly string[] s_severities = ["low", "medium", "high", "critical"];

    /// <summary>Reads a pipeline configuration (ipc.md §5.5), plus the optional <c>resume_stages</c> map (kind → stage).</summary>
    public static PipelineConfig ReadPipelineConfig(JsonNode? node)
    {
        var r = new Reader("Invalid pipeline_config: ");
        JsonObject config = r.Object(node, "struct PipelineConfig");
        string name = r.String(config, "name");
        JsonArray agents = r.Array(config, "agents");
        var stages = new List<PipelineStage>(agents.Count);
        foreach (JsonNode? item in agents)
        {
            JsonObject stage = r.Object(item, "struct PipelineStage");
            string stageName = r.String(stage, "name");
            string agent = r.String(stage, "agent");
            JsonArray routing = r.Array(stage, "routing");
            var rules = new List<RoutingRule>(routing.Count);
            foreach (JsonNode? ruleNode in routing)
            {
                JsonObject rule = r.Object(ruleNode, "struct RoutingRule");
                string? condition = r.OptionalString(rule, "condition");
                if (!rule.TryGetPropertyValue("value", out JsonNode? value))
                {
                    throw r.MissingField("value");
                }

                rules.Add(new RoutingRule(condition, value?.DeepClone(), r.String(rule, "target")));
            }

            stages.Add(new PipelineStage(stageName, agent, rules));
        }

        int maxIterations = r.Int32(config, "max_iterations");
        int maxLlmCalls = r.Int32(config, "max_llm_calls");
        int maxAgentHops = r.Int32(config, "max_agent_hops");
        JsonArray limits = r.Array(config, "edge_limits");
        var edgeLimits = new List<EdgeLimit>(limits.Count);
        foreach (JsonNode? item in limits)
        {
            JsonObject limit = r.Object(item, "struct EdgeLimit");
            edgeLimits.Add(new EdgeLimit(r.String(limit, "from_stage"), r.String(limit, "to_stage"), r.Int32(limit, "max_count")));
        }

        var resumeStages = new Dictionary<InterruptKind, string>();
        if (IpcFields.Get(config, "resume_stages") is { } resume)
        {
            foreach ((string key, JsonNode? stage) in r.Object(resume, "a map"))
            {
                InterruptKind kind = WireNames.TryParseInterruptKind(key, out InterruptKind k) ? k : throw r.UnknownVariant(key, s_kinds);
                resumeStages[kind] = IpcFields.AsString(stage) ?? throw r.InvalidType(stage, "a string");
            }
        }

        return new PipelineConfig
        {
            Name = name,
            Stages = stages,
            MaxIterations = maxIterations,
            MaxLlmCalls = maxLlmCalls,
            MaxAgentHops = maxAgentHops,
            EdgeLimits = edgeLimits,
            ResumeStages = resumeStages,
        };
    }

    /// <summary>Reads a tool entry (ipc.md §5.11); the parameter types are externally tagged.</summary>
    public static ToolEntry ReadToolEntry(JsonObject body)
    {
        var r = new Reader("Invalid tool entry: ");
        string id = r.String(body, "id");
        string description = r.String(body, "description");
        JsonArray parameters = r.Array(body, "parameters");
        var list = new List<ToolParameter>(parameters.Count);
        foreach (JsonNode? item in parameters)
        {
            JsonObject p = r.Object(item, "struct ParamDef");
            string name = r.String(p, "name");
            string paramDescription = r.String(p, "description");
            ToolParameterType type = ReadParamType(r, r.Required(p, "param_type"));
            JsonNode? defaultValue = IpcFields.Get(p, "default")?.DeepClone();
            list.Add(new ToolParameter(name, type, paramDescription, defaultValue));
        }

        return new ToolEntry
        {
            Id = id,
            Description = description,
            Parameters = list,
            Category = r.Enum(body, "category", s_categories, static (string t, out ToolCategory v) => WireNames.TryParseToolCategory(t, out v)),
            RiskSemantic = r.Enum(body, "risk_semantic", s_semantics, static (string t, out RiskSemantic v) => WireNames.TryParseRiskSemantic(t, out v)),
            RiskSeverity = r.Enum(body, "risk_severity", s_severities, static (string t, out RiskSeverity v) => WireNames.TryParseRiskSeverity(t, out v)),
        };
    }

    /// <summary>
    /// Reads an interrupt response (ipc.md §5.10). Absent reads as <c>{}</c>. Unlike the reference (its quirk Q15),
    /// <c>received_at</c> is optional; when given it must be RFC 3339 with an offset. The kernel stamps it anyway.
    /// </summary>
    public static InterruptResponse ReadInterruptResponse(JsonNode? node)
    {
        var r = new Reader("Invalid response: ");
        JsonObject response = node is null ? [] : r.Object(node, "struct InterruptResponse");
        bool? approved = null;
        if (IpcFields.Get(response, "approved") is { } a)
        {
            approved = a is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False && v.TryGetValue(out bool b)
                ? b
                : throw r.InvalidType(a, "a boolean");
        }

        JsonElement? data = null;
        if (IpcFields.Get(response, "data") is { } d)
        {
            data = DispatchJson.ToElement(r.Object(d, "a map"));
        }

        DateTimeOffset? receivedAt = null;
        if (r.OptionalString(response, "received_at") is { } text)
        {
            receivedAt = Rfc3339.TryParse(text, out DateTimeOffset at)
                ? at
                : throw r.Fail($"invalid timestamp '{text}' (RFC 3339 with an offset expected)");
        }

        return new InterruptResponse
        {
            Text = r.OptionalString(response, "text"),
            Approved = approved,
            Decision = r.OptionalString(response, "decision"),
            Data = data,
            ReceivedAt = receivedAt,
        };
    }

    private static ToolParameterType ReadParamType(Reader r, JsonNode node)
    {
        if (IpcFields.AsString(node) is { } unit)
        {
            return unit switch
            {
                "string" => ToolParameterType.String,
                "int" => ToolParameterType.Int,
                "float" => ToolParameterType.Float,
                "bool" => ToolParameterType.Bool,
                "string_list" => ToolParameterType.StringList,
                "enum" or "optional" => throw r.Fail("invalid type: unit variant, expected newtype variant"),
                _ => throw r.UnknownVariant(unit, s_paramTypeVariants),
            };
        }

        if (node is not JsonObject tagged)
        {
            throw r.InvalidType(node, "enum ParamType");
        }

        if (tagged.Count != 1)
        {
            throw r.Fail("invalid length, expected map with a single key");
        }

        (string tag, JsonNode? content) = tagged.First();
        switch (tag)
        {
            case "enum":
                if (content is not JsonArray values)
                {
                    throw r.InvalidType(content, "a sequence");
                }

                var names = new List<string>(values.Count);
                foreach (JsonNode? value in values)
                {
                    names.Add(IpcFields.AsString(value) ?? throw r.InvalidType(value, "a string"));
                }

                return ToolParameterType.Enum(names);
            case "optional":
                return ToolParameterType.Optional(ReadParamType(r, content ?? throw r.InvalidType(null, "enum ParamType")));
            case "string" or "int" or "float" or "bool" or "string_list":
                throw r.Fail("invalid type: newtype variant, expected unit variant");
            default:
                throw r.UnknownVariant(tag, s_paramTypeVariants);
        }
    }

    /// <summary>How the reference's deserializer names a value it did not expect.</summary>
    private static string Describe(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return "null";
            case JsonObject:
                return "map";
            case JsonArray:
                return "sequence";
        }

        var value = (JsonValue)node;
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return $"string \"{IpcFields.AsString(value)}\"";
            case JsonValueKind.True:
                return "boolean `true`";
            case JsonValueKind.False:
                return "boolean `false`";
            default:
                if (IpcFields.TryGetInt64(value, out long l))
                {
                    return string.Create(CultureInfo.InvariantCulture, $"integer `{l}`");
                }

                if (value.TryGetValue(out ulong u))
                {
                    return string.Create(CultureInfo.InvariantCulture, $"integer `{u}`");
                }

                return value.TryGetValue(out double d)
                    ? string.Create(CultureInfo.InvariantCulture, $"floating point `{d:R}`")
                    : "number";
        }
    }

    private delegate bool TryParse<T>(string text, out T value);

    /// <summary>Reads one schema, prefixing every failure.</summary>
    private readonly struct Reader(string prefix)
    {
        public JsonNode Required(JsonObject parent, string name) =>
            parent.TryGetPropertyValue(name, out JsonNode? node)
                ? node ?? throw InvalidType(null, "a value")
                : throw MissingField(name);

        public string String(JsonObject parent, string name)
        {
            JsonNode node = Required(parent, name);
            return IpcFields.AsString(node) ?? throw InvalidType(node, "a string");
        }

        public string? OptionalString(JsonObject parent, string name)
        {
            JsonNode? node = IpcFields.Get(parent, name);
            return node is null ? null : IpcFields.AsString(node) ?? throw InvalidType(node, "a string");
        }

        public int Int32(JsonObject parent, string name)
        {
            JsonNode node = Required(parent, name);
            if (IpcFields.TryGetInt64(node, out long value))
            {
                return value is >= int.MinValue and <= int.MaxValue
                    ? (int)value
                    : throw Fail(string.Create(CultureInfo.InvariantCulture, $"invalid value: integer `{value}`, expected i32"));
            }

            if (node is JsonValue v && v.TryGetValue(out ulong big))
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture, $"invalid value: integer `{big}`, expected i32"));
            }

            throw InvalidType(node, "i32");
        }

        public JsonArray Array(JsonObject parent, string name)
        {
            JsonNode node = Required(parent, name);
            return node as JsonArray ?? throw InvalidType(node, "a sequence");
        }

        public JsonObject Object(JsonNode? node, string expected) => node as JsonObject ?? throw InvalidType(node, expected);

        public T Enum<T>(JsonObject parent, string name, string[] variants, TryParse<T> parse)
        {
            JsonNode node = Required(parent, name);
            string text = IpcFields.AsString(node) ?? throw InvalidType(node, "a string");
            return parse(text, out T value) ? value : throw UnknownVariant(text, variants);
        }

        public KernelException MissingField(string name) => Fail($"missing field `{name}`");

        public KernelException InvalidType(JsonNode? found, string expected) => Fail($"invalid type: {Describe(found)}, expected {expected}");

        public KernelException UnknownVariant(string text, string[] variants) =>
            Fail($"unknown variant `{text}`, expected one of {string.Join(", ", variants.Select(static v => "`" + v + "`"))}");

        public KernelException Fail(string detail) => KernelErrors.Validation(prefix + detail);
    }
}
