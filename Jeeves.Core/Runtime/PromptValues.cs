using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Jeeves.Runtime;

/// <summary>
/// The values a prompt can name while an agent runs (runtime spec §3.2), looked up by name when a template asks for one
/// instead of gathered into a dictionary first: the run's state wins, then the outputs so far (each output by its key,
/// then its fields, later outputs over earlier ones), then the base keys (<c>raw_input</c>, <c>user_input</c>,
/// <c>user_query</c>, <c>user_id</c>, <c>session_id</c>, <c>session_state</c>, <c>role_description</c>). An output
/// field never shadows a base key.
/// </summary>
internal readonly struct PromptValues : PromptTemplate.IValueSource
{
    /// <summary>The names every agent run provides.</summary>
    internal static readonly HashSet<string> BaseKeys = new(StringComparer.Ordinal)
    {
        "raw_input", "user_input", "user_query", "user_id", "session_id", "session_state", "role_description",
    };

    // One text per agent name, so that a prompt naming {role_description} does not build it on every run; bounded, in case
    // a program makes agents with ever new names.
    private const int MaxCachedRoleDescriptions = 4096;
    private static readonly ConcurrentDictionary<string, string> s_roleDescriptions = new(StringComparer.Ordinal);
    private static int s_roleDescriptionCount;

    private readonly AgentContext _context;

    public PromptValues(AgentContext context) => _context = context;

    /// <summary>The <c>role_description</c> of an agent.</summary>
    internal static string RoleDescription(string agentName)
    {
        if (s_roleDescriptions.TryGetValue(agentName, out string? cached))
        {
            return cached;
        }

        string text = $"As the {agentName} agent in this pipeline stage.";
        if (Volatile.Read(ref s_roleDescriptionCount) < MaxCachedRoleDescriptions && s_roleDescriptions.TryAdd(agentName, text))
        {
            _ = Interlocked.Increment(ref s_roleDescriptionCount);
        }

        return text;
    }

    public bool TryFormat(string name, [NotNullWhen(true)] out string? text)
    {
        if (_context.State.TryGetPropertyValue(name, out JsonNode? fromState))
        {
            text = PromptTemplate.FormatValue(fromState);
            return true;
        }

        bool found = false;
        JsonNode? value = null;
        bool baseKey = _context.RunOutputs.Count > 0 && BaseKeys.Contains(name);
        foreach (KeyValuePair<string, JsonObject> output in _context.RunOutputs)
        {
            if (string.Equals(output.Key, name, StringComparison.Ordinal))
            {
                (found, value) = (true, output.Value);
            }

            if (!baseKey && output.Value.TryGetPropertyValue(name, out JsonNode? field))
            {
                (found, value) = (true, field);
            }
        }

        if (found)
        {
            text = PromptTemplate.FormatValue(value);
            return true;
        }

        text = name switch
        {
            "raw_input" or "user_input" or "user_query" => _context.Input,
            "user_id" => _context.UserId,
            "session_id" => _context.SessionId,
            "session_state" => "Session: " + _context.SessionId,
            "role_description" => RoleDescription(_context.Agent.Name),
            _ => null,
        };
        return text is not null;
    }
}
