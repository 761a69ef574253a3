using System.Text.Json;
using System.Text.Json.Nodes;
using Jeeves.Kernel.Orchestration;
using Microsoft.Extensions.AI;

namespace Jeeves.Runtime;

/// <summary>
/// Presents one of an agent's tools to a model as an <see cref="AIFunction"/>; when the model calls it, the call takes the
/// governed path of <see cref="ToolInvoker"/> and the model sees the normalised result.
/// </summary>
internal sealed class GovernedToolFunction : AIFunction
{
    private readonly ToolEntry _entry;
    private readonly AgentContext _context;
    private readonly ToolInvoker _invoker;

    public GovernedToolFunction(ToolEntry entry, AgentContext context, ToolInvoker invoker)
    {
        _entry = entry;
        _context = context;
        _invoker = invoker;
        JsonSchema = BuildSchema(entry);
    }

    public override string Name => _entry.Id;

    public override string Description => _entry.Description;

    public override JsonElement JsonSchema { get; }

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var args = new JsonObject();
        foreach ((string key, object? value) in arguments)
        {
            args[key] = value switch
            {
                null => null,
                JsonNode node => node.DeepClone(),
                JsonElement element => JsonNode.Parse(element.GetRawText()),
                string s => JsonValue.Create(s),
                bool b => JsonValue.Create(b),
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                double d => JsonValue.Create(d),
                _ => JsonValue.Create(value.ToString()),
            };
        }

        string? callId = FunctionInvokingChatClient.CurrentContext?.CallContent.CallId;
        JsonObject result = await _invoker.InvokeAsync(_context, _entry.Id, args, callId, cancellationToken).ConfigureAwait(false);
        return JsonValues.ToElement(result);
    }

    /// <summary>Describes the tool's parameters as the JSON schema function calling expects.</summary>
    internal static JsonElement BuildSchema(ToolEntry entry)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (ToolParameter parameter in entry.Parameters)
        {
            JsonObject schema = TypeSchema(parameter.Type);
            if (parameter.Description.Length > 0)
            {
                schema["description"] = parameter.Description;
            }

            if (parameter.Default is not null)
            {
                schema["default"] = parameter.Default.DeepClone();
            }

            properties[parameter.Name] = schema;
            if (parameter.IsRequired)
            {
                required.Add((JsonNode)JsonValue.Create(parameter.Name));
            }
        }

        var root = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Count > 0)
        {
            root["required"] = required;
        }

        return JsonValues.ToElement(root);
    }

    private static JsonObject TypeSchema(ToolParameterType type) => type.Kind switch
    {
        ToolParameterKind.String => new JsonObject { ["type"] = "string" },
        ToolParameterKind.Int => new JsonObject { ["type"] = "integer" },
        ToolParameterKind.Float => new JsonObject { ["type"] = "number" },
        ToolParameterKind.Bool => new JsonObject { ["type"] = "boolean" },
        ToolParameterKind.StringList => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
        ToolParameterKind.Enum => new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. type.Values.Select(static v => JsonValue.Create(v))]) },
        _ => type.Inner is { } inner ? TypeSchema(inner) : [],
    };
}
