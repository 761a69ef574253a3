using System.Text;

namespace Jeeves.Tests.Gateway;

/// <summary>One parsed server-sent event, or a comment.</summary>
internal sealed record ParsedSse(string? Id, string? Event, string? Data, string? Comment);

/// <summary>A minimal parser that follows the WHATWG event-stream rules, for checking what the gateway writes.</summary>
internal static class SseParser
{
    public static List<ParsedSse> Parse(string text)
    {
        var result = new List<ParsedSse>();
        string? id = null, name = null;
        StringBuilder? data = null;
        foreach (string line in SplitLines(text))
        {
            if (line.Length == 0)
            {
                if (data is not null || id is not null || name is not null)
                {
                    result.Add(new ParsedSse(id, name, data?.ToString(), null));
                }

                id = null;
                name = null;
                data = null;
                continue;
            }

            if (line[0] == ':')
            {
                result.Add(new ParsedSse(null, null, null, line[1..].TrimStart(' ')));
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string field = colon < 0 ? line : line[..colon];
            string value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "data":
                    if (data is null)
                    {
                        data = new StringBuilder(value);
                    }
                    else
                    {
                        data.Append('\n').Append(value);
                    }

                    break;
            }
        }

        return result;
    }

    /// <summary>Whether the text ends exactly at a frame boundary (an unterminated frame is never dispatched).</summary>
    public static bool EndsAtFrameBoundary(string text) => text.Length == 0 || text.EndsWith("\n\n", StringComparison.Ordinal);

    private static IEnumerable<string> SplitLines(string text)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] is '\r' or '\n')
            {
                yield return text[start..i];
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }
    }
}
