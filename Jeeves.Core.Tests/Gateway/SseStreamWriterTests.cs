using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Jeeves.Gateway;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Gateway;

/// <summary>The stream writer: ids, keep-alives on the injected clock, exactly one terminal event, then done.</summary>
public sealed class SseStreamWriterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Test]
    public async Task WriteAsync_EventsThenTerminal_IdsFromOneThenDoneAndSentinel()
    {
        // Arrange
        var output = new MemoryStream();
        ServerSentEvent[] events = [new("a", "{\"n\":1}"), new("b", "{\"n\":2}"), new("response_ready", "{\"r\":1}", IsTerminal: true), new("after", "{}")];

        // Act
        await new SseStreamWriter().WriteAsync(events.ToAsyncEnumerable(), output);

        // Assert
        string text = Encoding.UTF8.GetString(output.ToArray());
        Assert.That(text, Is.EqualTo(
            "id: 1\nevent: a\ndata: {\"n\":1}\n\n" +
            "id: 2\nevent: b\ndata: {\"n\":2}\n\n" +
            "id: 3\nevent: response_ready\ndata: {\"r\":1}\n\n" +
            "id: 4\nevent: done\ndata: {}\n\n" +
            "data: [DONE]\n\n"));
    }

    [Test]
    public async Task WriteAsync_SourceEndsWithoutTerminal_ErrorThenDone()
    {
        var output = new MemoryStream();

        await new SseStreamWriter().WriteAsync(new ServerSentEvent[] { new("a", "{}") }.ToAsyncEnumerable(), output);

        List<ParsedSse> parsed = SseParser.Parse(Encoding.UTF8.GetString(output.ToArray()));
        Assert.That(parsed.Select(p => p.Event), Is.EqualTo(new[] { "a", "error", "done", null }));
        Assert.That(parsed[1].Data, Is.EqualTo("{\"error\":\"No response received\"}"));
    }

    [Test]
    public async Task WriteAsync_SourceThrows_SanitisedErrorThenDone()
    {
        var output = new MemoryStream();

        await new SseStreamWriter().WriteAsync(Failing(), output);

        string text = Encoding.UTF8.GetString(output.ToArray());
        List<ParsedSse> parsed = SseParser.Parse(text);
        Assert.That(parsed.Select(p => p.Event), Is.EqualTo(new[] { "a", "error", "done", null }));
        Assert.That(parsed[1].Data, Is.EqualTo("{\"error\":\"Internal server error\"}"));
        Assert.That(text, Does.Not.Contain("secret"));
    }

    [Test]
    public async Task WriteAsync_SilentSource_KeepAliveEveryIntervalOnTheInjectedClock()
    {
        // Arrange
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var channel = Channel.CreateUnbounded<ServerSentEvent>();
        var output = new ObservableStream();
        Task writing = new SseStreamWriter(time).WriteAsync(channel.Reader.ReadAllAsync(), output);

        // Act + Assert: nothing before 15 s, one comment at 15 s, another 15 s later.
        time.Advance(TimeSpan.FromSeconds(14));
        Assert.That(output.Text, Is.Empty);
        time.Advance(TimeSpan.FromSeconds(1));
        await output.WaitForAsync(": keepalive\n\n", 1);
        time.Advance(TimeSpan.FromSeconds(15));
        await output.WaitForAsync(": keepalive\n\n", 2);

        // An event resets the silence: 10 s after it there is no keep-alive yet.
        await channel.Writer.WriteAsync(new ServerSentEvent("tick", "{}"));
        await output.WaitForAsync("event: tick", 1);
        time.Advance(TimeSpan.FromSeconds(10));
        await channel.Writer.WriteAsync(new ServerSentEvent("end", "{}", IsTerminal: true));
        await writing.WaitAsync(Wait);

        List<ParsedSse> parsed = SseParser.Parse(output.Text);
        Assert.That(parsed.Count(p => p.Comment == "keepalive"), Is.EqualTo(2));
        Assert.That(parsed.Where(p => p.Comment is null).Select(p => p.Id), Is.EqualTo(new[] { "1", "2", "3", null }), "keep-alives carry no id and take none");
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.That(SseParser.Parse(output.Text).Count(p => p.Comment == "keepalive"), Is.EqualTo(2), "never after the stream is finished");
    }

    [Test]
    public async Task WriteAsync_Cancelled_StopsTheSourceAndWritesNothingMore()
    {
        // Arrange
        var output = new ObservableStream();
        using var cts = new CancellationTokenSource();
        var sourceCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task writing = new SseStreamWriter().WriteAsync(Endless(sourceCancelled), output, cts.Token);
        await output.WaitForAsync("event: first", 1);

        // Act
        await cts.CancelAsync();

        // Assert
        Assert.That(async () => await writing.WaitAsync(Wait), Throws.InstanceOf<OperationCanceledException>());
        await sourceCancelled.Task.WaitAsync(Wait);
        Assert.That(output.Text, Does.Not.Contain("done"));
    }

    private static async IAsyncEnumerable<ServerSentEvent> Failing()
    {
        yield return new ServerSentEvent("a", "{}");
        await Task.Yield();
        throw new InvalidOperationException("secret connection string");
    }

    private static async IAsyncEnumerable<ServerSentEvent> Endless(TaskCompletionSource cancelled, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return new ServerSentEvent("first", "{}");
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
        }
        finally
        {
            cancelled.TrySetResult();
        }
    }

    /// <summary>A stream that lets a test wait until some text has been written.</summary>
    private sealed class ObservableStream : MemoryStream
    {
        private readonly Lock _gate = new();
        private readonly StringBuilder _text = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Append(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Append(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public async Task WaitForAsync(string fragment, int count)
        {
            using var timeout = new CancellationTokenSource(Wait);
            while (Occurrences(Text, fragment) < count)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, timeout.Token).ConfigureAwait(false);
            }
        }

        private static int Occurrences(string text, string fragment)
        {
            int n = 0;
            for (int i = text.IndexOf(fragment, StringComparison.Ordinal); i >= 0; i = text.IndexOf(fragment, i + 1, StringComparison.Ordinal))
            {
                n++;
            }

            return n;
        }

        private void Append(ReadOnlySpan<byte> bytes)
        {
            lock (_gate)
            {
                _text.Append(Encoding.UTF8.GetString(bytes));
            }
        }
    }
}
