using System.Text;
using System.Text.Json.Nodes;

namespace Jeeves.Kernel.Tools;

/// <summary>The tool catalog (§10.2–§10.3): entries, parameter validation, default filling and the tools prompt.</summary>
internal sealed class ToolCatalog
{
    private readonly Dictionary<string, ToolEntry> _tools = new(StringComparer.Ordinal);

    public int Count => _tools.Count;

    public bool Has(string id) => _tools.ContainsKey(id);

    public ToolEntry? Get(string id) => _tools.GetValueOrDefault(id);

    /// <exception cref="KernelException">The entry is malformed, or the id is taken by a different entry and <paramref name="replaceExisting"/> is not set.</exception>
    public ToolRegistration Register(ToolEntry entry, bool replaceExisting)
    {
        Validate(entry);

        // The catalog keeps its own copy, so a caller changing its list or defaults later changes nothing here.
        entry = entry with { Parameters = entry.Parameters.Select(static p => p with { Default = p.Default?.DeepClone() }).ToArray() };
        if (_tools.TryGetValue(entry.Id, out ToolEntry? existing))
        {
            if (existing.Equals(entry))
            {
                return ToolRegistration.Unchanged;
            }

            if (!replaceExisting)
            {
                throw KernelErrors.AlreadyExists($"Tool {entry.Id} is already registered with a different definition");
            }

            _tools[entry.Id] = entry;
            return ToolRegistration.Replaced;
        }

        _tools.Add(entry.Id, entry);
        return ToolRegistration.Added;
    }

    public List<ToolEntry> List() => _tools.Values.OrderBy(static t => t.Id, StringComparer.Ordinal).ToList();

    /// <summary>Reports every problem: missing required parameters in declaration order, then supplied keys in ordinal order.</summary>
    public List<string> Validate(string toolId, JsonNode? parameters)
    {
        ToolEntry tool = Require(toolId);
        if (parameters is not JsonObject given)
        {
            throw KernelErrors.Validation("Parameters must be a JSON object");
        }

        var errors = new List<string>();
        foreach (ToolParameter p in tool.Parameters)
        {
            if (p.IsRequired && !given.ContainsKey(p.Name))
            {
                errors.Add("Missing required parameter: " + p.Name);
            }
        }

        if (given.Count == 0)
        {
            return errors;
        }

        // The reference's JSON objects are key-sorted, so supplied keys are checked in ordinal order.
        var keys = new string[given.Count];
        int n = 0;
        foreach (KeyValuePair<string, JsonNode?> kv in given)
        {
            keys[n++] = kv.Key;
        }

        if (keys.Length > 1)
        {
            Array.Sort(keys, StringComparer.Ordinal);
        }

        foreach (string key in keys)
        {
            ToolParameter? declared = Find(tool, key);
            if (declared is null)
            {
                errors.Add("Unknown parameter: " + key);
            }
            else if (ToolParameterValidator.Check(declared.Type, given[key]) is { } problem)
            {
                errors.Add($"Parameter '{key}': {problem}");
            }
        }

        return errors;
    }

    /// <summary>Returns a copy of <paramref name="parameters"/> with declared defaults added for omitted keys.</summary>
    public JsonNode? FillDefaults(string toolId, JsonNode? parameters)
    {
        ToolEntry tool = Require(toolId);
        if (parameters is not JsonObject given)
        {
            return parameters?.DeepClone();
        }

        var filled = (JsonObject)given.DeepClone();
        foreach (ToolParameter p in tool.Parameters)
        {
            if (p.Default is not null && !filled.ContainsKey(p.Name))
            {
                filled[p.Name] = p.Default.DeepClone();
            }
        }

        return filled;
    }

    /// <summary>Writes <c>Available tools:</c> and one line per tool; the empty string when no tool is listed.</summary>
    public string GeneratePrompt(IReadOnlyList<string>? allowedTools)
    {
        IEnumerable<ToolEntry> tools = allowedTools is null
            ? List()
            : allowedTools.Where(id => id is not null && _tools.ContainsKey(id)).Select(id => _tools[id]);

        var sb = new StringBuilder();
        foreach (ToolEntry tool in tools)
        {
            sb.Append(sb.Length == 0 ? "Available tools:\n- " : "\n- ").Append(tool.Id).Append('(');
            for (int i = 0; i < tool.Parameters.Count; i++)
            {
                ToolParameter p = tool.Parameters[i];
                sb.Append(i == 0 ? string.Empty : ", ").Append(p.Name).Append(p.IsRequired ? ": " : "?: ").Append(p.Type.DisplayName);
            }

            sb.Append("): ").Append(tool.Description);
        }

        return sb.ToString();
    }

    private static ToolParameter? Find(ToolEntry tool, string name)
    {
        foreach (ToolParameter p in tool.Parameters)
        {
            if (string.Equals(p.Name, name, StringComparison.Ordinal))
            {
                return p;
            }
        }

        return null;
    }

    private ToolEntry Require(string toolId)
    {
        ArgumentNullException.ThrowIfNull(toolId);
        return _tools.TryGetValue(toolId, out ToolEntry? tool) ? tool : throw KernelErrors.NotFound("Unknown tool: " + toolId);
    }

    private static void Validate(ToolEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (string.IsNullOrEmpty(entry.Id))
        {
            throw KernelErrors.Validation("Tool id cannot be empty");
        }

        // Ids, names and descriptions appear in the one-line-per-tool prompt, so they must not break its format.
        if (HasSpaceOrControl(entry.Id) || (entry.Description ?? string.Empty).Any(char.IsControl))
        {
            throw KernelErrors.Validation($"Invalid tool entry: {entry.Id} has whitespace in its id or a control character in its description");
        }

        if (!Enum.IsDefined(entry.Category) || !Enum.IsDefined(entry.RiskSemantic) || !Enum.IsDefined(entry.RiskSeverity))
        {
            throw KernelErrors.Validation($"Invalid tool entry: {entry.Id} has an undefined category or risk");
        }

        if (entry.Parameters is null)
        {
            throw KernelErrors.Validation($"Invalid tool entry: {entry.Id} has no parameter list");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ToolParameter? p in entry.Parameters)
        {
            if (p is null || string.IsNullOrEmpty(p.Name) || HasSpaceOrControl(p.Name) || p.Type is null)
            {
                throw KernelErrors.Validation($"Invalid tool entry: {entry.Id} has a parameter without a name (or with whitespace in it) or a type");
            }

            if (!names.Add(p.Name))
            {
                throw KernelErrors.Validation($"Invalid tool entry: {entry.Id} declares parameter '{p.Name}' twice");
            }

            if (p.Default is not null && ToolParameterValidator.Check(p.Type, p.Default) is { } problem)
            {
                throw KernelErrors.Validation($"Invalid tool entry: {entry.Id} parameter '{p.Name}' default: {problem}");
            }
        }
    }

    private static bool HasSpaceOrControl(string text) => text.Any(static c => char.IsWhiteSpace(c) || char.IsControl(c));
}
