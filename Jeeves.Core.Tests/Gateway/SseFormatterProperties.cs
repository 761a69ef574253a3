using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;
using Jeeves.Gateway;

namespace Jeeves.Tests.Gateway;

/// <summary>Framing invariants: whatever the payload or name, one event parses back as exactly one event with its data.</summary>
public sealed class SseFormatterProperties
{
    [Property(MaxTest = 500)]
    public bool JsonPayload_AnyString_RoundTripsExactly(NonNull<string> value, PositiveInt id)
    {
        string json = new JsonObject { ["text"] = value.Get }.ToJsonString();
        List<ParsedSse> parsed = SseParser.Parse(SseFormatter.Format(id.Get, "token", json));
        return parsed.Count == 1 && parsed[0].Data == json && parsed[0].Id == id.Get.ToString(System.Globalization.CultureInfo.InvariantCulture)
            && Utf8RoundTrip(JsonNode.Parse(parsed[0].Data!)!["text"]!.GetValue<string>()) == Utf8RoundTrip(value.Get);
    }

    [Property(MaxTest = 500)]
    public bool RawPayload_AnyText_OneEventWithLinesJoinedByNewline(NonNull<string> data, NonNull<string> name)
    {
        string text = SseFormatter.Format(7, name.Get, data.Get);
        List<ParsedSse> parsed = SseParser.Parse(text);
        string expectedData = Normalise(Utf8RoundTrip(data.Get));
        return SseParser.EndsAtFrameBoundary(text)
            && parsed.Count == 1
            && parsed[0].Data == expectedData
            && parsed[0].Id == "7"
            && parsed[0].Event!.IndexOfAny(['\r', '\n']) < 0;
    }

    [Property(MaxTest = 300)]
    public bool ManyEvents_Concatenated_ParseBackInOrder(NonEmptyArray<NonNull<string>> payloads)
    {
        var all = new StringBuilder();
        string[] values = [.. payloads.Get.Select(p => p.Get)];
        for (int i = 0; i < values.Length; i++)
        {
            all.Append(SseFormatter.Format(i + 1, "e", values[i]));
        }

        List<ParsedSse> parsed = SseParser.Parse(all.ToString());
        return parsed.Count == values.Length
            && parsed.Select(p => p.Data).SequenceEqual(values.Select(v => Normalise(Utf8RoundTrip(v))))
            && parsed.Select(p => p.Id).SequenceEqual(Enumerable.Range(1, values.Length).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Format_MultiLineData_OneDataLinePerLine()
    {
        string text = SseFormatter.Format(3, "agent.planner.started", "a\nb\r\nc\rd");

        Assert.That(text, Is.EqualTo("id: 3\nevent: agent.planner.started\ndata: a\ndata: b\ndata: c\ndata: d\n\n"));
    }

    [Test]
    public void Format_NameWithLineBreaks_NameStaysOnOneLine()
    {
        string text = SseFormatter.Format(null, "evil\ndata: injected", "{}");

        Assert.That(text, Is.EqualTo("event: evil data: injected\ndata: {}\n\n"));
    }

    [Test]
    public void WriteDoneAndComment_ExactBytes()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        SseFormatter.WriteComment(buffer, SseFormatter.KeepAliveComment);
        SseFormatter.WriteDone(buffer);

        Assert.That(Encoding.UTF8.GetString(buffer.WrittenSpan), Is.EqualTo(": keepalive\n\ndata: [DONE]\n\n"));
    }

    private static string Normalise(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    // Lone surrogates cannot be encoded as UTF-8; they travel as U+FFFD, as any UTF-8 transport would send them.
    private static string Utf8RoundTrip(string s) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s));
}
