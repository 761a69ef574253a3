using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Runtime;

/// <summary>
/// A prompt: an optional system part and a user part, each a template where <c>{name}</c> is replaced by a value from the
/// prompt context and <c>{{</c> / <c>}}</c> are literal braces. Nothing else is special: no format specifiers, no member
/// access. A placeholder the context lacks is an error naming it; extra context values are ignored.
/// </summary>
public sealed class PromptTemplate
{
    private readonly Segment[] _system;
    private readonly Segment[] _user;

    /// <summary>Initializes a new instance of the <see cref="PromptTemplate"/> class.</summary>
    /// <param name="name">The prompt's name, which agents refer to.</param>
    /// <param name="user">The user message template (the reference sends the whole prompt as one user message).</param>
    /// <param name="system">The system message template, or <see langword="null"/> for none.</param>
    /// <param name="version">The version, compared as a semantic version when there are several (<c>10.0</c> is newer than <c>9.0</c>).</param>
    /// <exception cref="ArgumentException">The name is empty, or a template is malformed (an unclosed or unmatched brace, a placeholder that is not an identifier).</exception>
    public PromptTemplate(string name, string user, string? system = null, string version = "1.0")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        Name = name;
        Version = version;
        User = user;
        System = system;
        _user = Parse(name, user);
        _system = system is null ? [] : Parse(name, system);
        Placeholders = [.. _system.Concat(_user).Where(static s => s.IsPlaceholder).Select(static s => s.Text).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Gets the prompt's name.</summary>
    public string Name { get; }

    /// <summary>Gets the prompt's version.</summary>
    public string Version { get; }

    /// <summary>Gets the user message template.</summary>
    public string User { get; }

    /// <summary>Gets the system message template, or <see langword="null"/>.</summary>
    public string? System { get; }

    /// <summary>Gets the names the templates refer to, in order of first use.</summary>
    public IReadOnlyList<string> Placeholders { get; }

    /// <summary>Renders the system part.</summary>
    /// <param name="context">The values by name.</param>
    /// <returns>The text, or <see langword="null"/> when there is no system part.</returns>
    /// <exception cref="KeyNotFoundException">A placeholder has no value in <paramref name="context"/>.</exception>
    public string? RenderSystem(IReadOnlyDictionary<string, JsonNode?> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return System is null ? null : Render(_system, new DictionarySource(context));
    }

    /// <summary>Renders the user part.</summary>
    /// <param name="context">The values by name.</param>
    /// <returns>The text.</returns>
    /// <exception cref="KeyNotFoundException">A placeholder has no value in <paramref name="context"/>.</exception>
    public string RenderUser(IReadOnlyDictionary<string, JsonNode?> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Render(_user, new DictionarySource(context));
    }

    /// <summary>Renders the system part from the values an agent run provides.</summary>
    internal string? RenderSystem(PromptValues values) => System is null ? null : Render(_system, values);

    /// <summary>Renders the user part from the values an agent run provides.</summary>
    internal string RenderUser(PromptValues values) => Render(_user, values);

    /// <summary>Formats a context value as the reference did: strings verbatim, numbers in invariant form, booleans as <c>True</c>/<c>False</c>, null as <c>None</c>, objects and arrays as JSON.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string FormatValue(JsonNode? value) => value switch
    {
        null => "None",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.True => "True",
        JsonValue v when v.GetValueKind() == JsonValueKind.False => "False",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => value.ToJsonString(),
    };

    /// <summary>Compares two version strings as dotted numbers where they are numbers, else ordinally.</summary>
    /// <param name="left">A version.</param>
    /// <param name="right">Another version.</param>
    /// <returns>Negative, zero or positive as for <see cref="IComparer{T}.Compare"/>.</returns>
    public static int CompareVersions(string left, string right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        string[] a = left.Split('.');
        string[] b = right.Split('.');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "0";
            string y = i < b.Length ? b[i] : "0";
            int c = long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out long nx) && long.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out long ny)
                ? nx.CompareTo(ny)
                : string.CompareOrdinal(x, y);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private static string Render<TSource>(Segment[] segments, TSource context)
        where TSource : IValueSource
    {
        if (segments.Length == 1 && !segments[0].IsPlaceholder)
        {
            return segments[0].Text;
        }

        // Every part is found first and the parts are joined once, so the result is the only string built.
        string[] parts = ArrayPool<string>.Shared.Rent(segments.Length);
        try
        {
            for (int i = 0; i < segments.Length; i++)
            {
                Segment segment = segments[i];
                if (!segment.IsPlaceholder)
                {
                    parts[i] = segment.Text;
                }
                else if (context.TryFormat(segment.Text, out string? value))
                {
                    parts[i] = value;
                }
                else
                {
                    throw new KeyNotFoundException($"Prompt placeholder '{{{segment.Text}}}' has no value in the prompt context.");
                }
            }

            return string.Concat(parts.AsSpan(0, segments.Length));
        }
        finally
        {
            ArrayPool<string>.Shared.Return(parts, clearArray: true);
        }
    }

    private static Segment[] Parse(string name, string template)
    {
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                _ = literal.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                _ = literal.Append('}');
                i++;
            }
            else if (c == '{')
            {
                int end = template.IndexOf('}', i + 1);
                if (end < 0)
                {
                    throw new ArgumentException($"Prompt '{name}': unclosed '{{' at offset {i}.", nameof(template));
                }

                string field = template[(i + 1)..end];
                if (!IsIdentifier(field))
                {
                    throw new ArgumentException($"Prompt '{name}': '{{{field}}}' at offset {i} is not a placeholder name (letters, digits, '_'); write '{{{{' for a literal brace.", nameof(template));
                }

                if (literal.Length > 0)
                {
                    segments.Add(new Segment(literal.ToString(), false));
                    _ = literal.Clear();
                }

                segments.Add(new Segment(field, true));
                i = end;
            }
            else if (c == '}')
            {
                throw new ArgumentException($"Prompt '{name}': unmatched '}}' at offset {i}; write '}}}}' for a literal brace.", nameof(template));
            }
            else
            {
                _ = literal.Append(c);
            }
        }

        if (literal.Length > 0)
        {
            segments.Add(new Segment(literal.ToString(), false));
        }

        return [.. segments];
    }

    private static bool IsIdentifier(string s) =>
        s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] == '_') && s.All(static ch => char.IsAsciiLetterOrDigit(ch) || ch == '_');

    /// <summary>Where a template's placeholders get their text.</summary>
    internal interface IValueSource
    {
        /// <summary>Finds and formats the value named <paramref name="name"/>.</summary>
        bool TryFormat(string name, [NotNullWhen(true)] out string? text);
    }

    private readonly record struct Segment(string Text, bool IsPlaceholder);

    private readonly struct DictionarySource(IReadOnlyDictionary<string, JsonNode?> values) : IValueSource
    {
        public bool TryFormat(string name, [NotNullWhen(true)] out string? text)
        {
            if (values.TryGetValue(name, out JsonNode? value))
            {
                text = FormatValue(value);
                return true;
            }

            text = null;
            return false;
        }
    }
}
