using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Jeeves.Llm;

/// <summary>The <see cref="MockChatClient"/>'s default answers; pure functions of the messages and the response format.</summary>
internal static partial class MockAnswers
{
    private const int MaxSchemaDepth = 32;
    private const int MaxSentences = 2;

    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly HashSet<string> s_stopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "are", "but", "not", "you", "your", "yours", "all", "any", "can", "could", "had", "has", "have",
        "her", "his", "him", "she", "they", "them", "their", "there", "then", "than", "this", "that", "these", "those", "was",
        "were", "will", "would", "with", "what", "when", "where", "which", "who", "whom", "why", "how", "from", "into", "about",
        "also", "just", "does", "did", "doing", "done", "been", "being", "its", "our", "ours", "out", "over", "some", "such",
        "only", "own", "same", "should", "very", "too", "more", "most", "other", "each", "few", "both", "here", "off", "once",
        "under", "until", "again", "further", "while", "because", "between", "through", "during", "before", "after", "above",
        "below", "down", "nor", "may", "might", "must", "shall", "tell", "please", "get", "got", "let", "yet", "per", "via",
        "etc", "don", "doesn", "isn", "aren", "won", "want", "know", "like", "need", "give", "show", "explain",
        "describe", "thanks", "thank", "hello", "hey",
    };

    private static readonly string[] s_responseWords = ["response", "answer", "reply"];
    private static readonly string[] s_responseNames = ["message", "text", "content"];

    /// <summary>The default answer to a call, as documented on <see cref="MockChatClient"/>.</summary>
    public static string Default(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var context = new Context(messages);
        if (options?.ResponseFormat is not ChatResponseFormatJson json)
        {
            return context.TextAnswer;
        }

        JsonNode? node = json.Schema is { } schema
            ? Build(schema, schema, propertyName: null, context, depth: 0)
            : new JsonObject { ["response"] = context.TextAnswer };
        return Serialize(node);
    }

    /// <summary>The text answer: up to two system sentences that share the most keywords with the last user message.</summary>
    public static string TextAnswer(IReadOnlyList<ChatMessage> messages, string lastUserMessage)
    {
        HashSet<string> query = Keywords(lastUserMessage);
        if (query.Count == 0)
        {
            return MockChatClient.NoInformationAnswer;
        }

        var scored = new List<(string Sentence, int Position, int Score)>();
        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.User || message.Role == ChatRole.Assistant)
            {
                continue;
            }

            foreach (string sentence in Sentences(message.Text))
            {
                int score = Keywords(sentence).Count(query.Contains);
                if (score > 0)
                {
                    scored.Add((sentence, scored.Count, score));
                }
            }
        }

        if (scored.Count == 0)
        {
            return MockChatClient.NoInformationAnswer;
        }

        IEnumerable<string> best = scored
            .OrderByDescending(s => s.Score).ThenBy(s => s.Position)
            .Take(MaxSentences)
            .OrderBy(s => s.Position)
            .Select(s => s.Sentence);
        return string.Join(" ", best);
    }

    private static JsonNode? Build(JsonElement schema, JsonElement root, string? propertyName, Context context, int depth)
    {
        if (depth > MaxSchemaDepth || schema.ValueKind == JsonValueKind.False)
        {
            return null;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return StringFor(propertyName, context);
        }

        if (schema.TryGetProperty("$ref", out JsonElement reference) && reference.ValueKind == JsonValueKind.String
            && Resolve(root, reference.GetString()!) is { } target)
        {
            return Build(target, root, propertyName, context, depth + 1);
        }

        if (schema.TryGetProperty("const", out JsonElement constant))
        {
            return Copy(constant);
        }

        if (schema.TryGetProperty("enum", out JsonElement values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            return ChooseEnum(values, context.LastUserMessage);
        }

        foreach (string keyword in (ReadOnlySpan<string>)["anyOf", "oneOf", "allOf"])
        {
            if (schema.TryGetProperty(keyword, out JsonElement alternatives) && alternatives.ValueKind == JsonValueKind.Array
                && alternatives.EnumerateArray().FirstOrDefault(a => !IsNullSchema(a)) is { ValueKind: not JsonValueKind.Undefined } chosen)
            {
                return Build(chosen, root, propertyName, context, depth + 1);
            }
        }

        switch (TypeOf(schema))
        {
            case "object":
                var obj = new JsonObject();
                if (schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object)
                {
                    foreach (JsonProperty property in properties.EnumerateObject())
                    {
                        obj[property.Name] = Build(property.Value, root, property.Name, context, depth + 1);
                    }
                }

                return obj;
            case "array":
                var array = new JsonArray();
                int count = schema.TryGetProperty("minItems", out JsonElement min) && min.TryGetInt32(out int n) ? Math.Clamp(n, 0, 16) : 0;
                JsonElement items = schema.TryGetProperty("items", out JsonElement i) ? i : default;
                for (int k = 0; k < count; k++)
                {
                    array.Add(items.ValueKind == JsonValueKind.Undefined ? StringFor(propertyName, context) : Build(items, root, propertyName, context, depth + 1));
                }

                return array;
            case "integer":
                return JsonValue.Create((long)Minimum(schema, integer: true));
            case "number":
                return JsonValue.Create(Minimum(schema, integer: false));
            case "boolean":
                return JsonValue.Create(false);
            case "null":
                return null;
            default:
                return StringFor(propertyName, context);
        }
    }

    private static JsonValue StringFor(string? propertyName, Context context)
    {
        if (propertyName is null || IsResponseLike(propertyName))
        {
            return JsonValue.Create(context.TextAnswer);
        }

        return JsonValue.Create($"Mock {propertyName.Replace('_', ' ').Replace('-', ' ')}.");
    }

    private static bool IsResponseLike(string propertyName)
    {
        string name = propertyName.ToLowerInvariant();
        return s_responseWords.Any(w => name.Contains(w, StringComparison.Ordinal)) || s_responseNames.Contains(name);
    }

    private static JsonNode? ChooseEnum(JsonElement values, string lastUserMessage)
    {
        HashSet<string> userWords = Words(lastUserMessage);
        string? best = null;
        int bestWords = 0;
        string? general = null;
        foreach (JsonElement value in values.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            string text = value.GetString()!;
            if (general is null && text.Equals("general", StringComparison.OrdinalIgnoreCase))
            {
                general = text;
            }

            HashSet<string> words = Words(text.Replace('_', ' ').Replace('-', ' '));
            if (words.Count > bestWords && words.All(userWords.Contains))
            {
                best = text;
                bestWords = words.Count;
            }
        }

        return best is not null ? JsonValue.Create(best)
            : general is not null ? JsonValue.Create(general)
            : Copy(values[0]);
    }

    private static double Minimum(JsonElement schema, bool integer)
    {
        if (schema.TryGetProperty("minimum", out JsonElement min) && min.TryGetDouble(out double minimum))
        {
            return integer ? Math.Ceiling(minimum) : minimum;
        }

        if (schema.TryGetProperty("exclusiveMinimum", out JsonElement exclusive) && exclusive.TryGetDouble(out double above))
        {
            return integer ? Math.Floor(above) + 1 : above + 1;
        }

        if (schema.TryGetProperty("maximum", out JsonElement max) && max.TryGetDouble(out double maximum) && maximum < 0)
        {
            return integer ? Math.Floor(maximum) : maximum;
        }

        return 0;
    }

    private static string? TypeOf(JsonElement schema)
    {
        if (schema.TryGetProperty("type", out JsonElement type))
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                return type.GetString();
            }

            if (type.ValueKind == JsonValueKind.Array)
            {
                string?[] types = [.. type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString())];
                return types.FirstOrDefault(t => t != "null") ?? types.FirstOrDefault();
            }
        }

        return schema.TryGetProperty("properties", out _) ? "object"
            : schema.TryGetProperty("items", out _) ? "array"
            : "string";
    }

    private static bool IsNullSchema(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("type", out JsonElement type)
        && type.ValueKind == JsonValueKind.String && type.GetString() == "null";

    /// <summary>Resolves a local JSON pointer reference such as <c>#/$defs/Item</c>.</summary>
    private static JsonElement? Resolve(JsonElement root, string reference)
    {
        if (!reference.StartsWith('#'))
        {
            return null;
        }

        JsonElement current = root;
        foreach (string segment in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string name = Uri.UnescapeDataString(segment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(name, out JsonElement next))
            {
                current = next;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static JsonNode? Copy(JsonElement element) =>
        LenientJson.TryParseStrict(element.GetRawText(), out JsonNode? node) ? node : null;

    private static string Serialize(JsonNode? node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_writerOptions))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static IEnumerable<string> Sentences(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            foreach (string part in SentenceBreak().Split(line))
            {
                string sentence = ListMarker().Replace(part.Trim(), string.Empty).Trim();
                if (sentence.Length > 0)
                {
                    yield return sentence;
                }
            }
        }
    }

    private static HashSet<string> Words(string text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Word().Matches(text))
        {
            words.Add(match.Value.ToLowerInvariant());
        }

        return words;
    }

    private static HashSet<string> Keywords(string text)
    {
        HashSet<string> words = Words(text);
        words.RemoveWhere(w => w.Length < 3 || s_stopWords.Contains(w));
        return words;
    }

    [GeneratedRegex("[A-Za-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    [GeneratedRegex(@"(?<=[.!?])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"^(?:[-*#>]+|\d+[.)])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();

    /// <summary>The inputs of one default answer; the text answer is computed at most once.</summary>
    private sealed class Context(IReadOnlyList<ChatMessage> messages)
    {
        public string LastUserMessage { get; } = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;

        public string TextAnswer => field ??= MockAnswers.TextAnswer(messages, LastUserMessage);
    }
}
