using System.Buffers;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Jeeves.Ipc;

namespace Jeeves.Benchmarks.Ipc;

/// <summary>
/// The frame codec: one request frame encoded into the connection's reused <see cref="FrameWriter"/>, then parsed back
/// (frame split, MessagePack decode into <see cref="JsonNode"/>, request validation), as the host and a client do.
/// </summary>
/// <remarks>
/// The request is <c>commbus.Publish</c> whose body has one string field, <c>payload</c>, of <see cref="Size"/> bytes,
/// the sizes upstream's <c>ipc_throughput</c> bench uses (spec/ipc.md §10). Unlike upstream's raw-byte frames, these go
/// through MessagePack both ways, so the numbers are not comparable with its Criterion output.
/// </remarks>
[MemoryDiagnoser]
public class IpcCodecBenchmarks : IDisposable
{
    private FrameWriter? _writer;
    private WireRequest _request;

    /// <summary>Gets or sets the length in bytes of the body's string field.</summary>
    [Params(0, 64, 1024, 4096, 65536)]
    public int Size { get; set; }

    /// <summary>The whole frame's length in bytes for a payload field of <paramref name="size"/> bytes.</summary>
    public static int FrameLength(int size)
    {
        using var writer = new FrameWriter();
        return writer.WriteRequest(Request(size)).Length;
    }

    [GlobalSetup]
    public void Setup()
    {
        _writer = new FrameWriter();
        _request = Request(Size);
    }

    /// <summary>Encodes the request as a frame and decodes it back; returns the decoded body so the work is kept.</summary>
    [Benchmark]
    public JsonObject EncodeDecode()
    {
        ReadOnlyMemory<byte> bytes = _writer!.WriteRequest(_request);
        if (!FrameReader.TryParseFrame(new ReadOnlySequence<byte>(bytes), FrameLayout.DefaultMaxFrameBytes, out Frame frame, out _, out _))
        {
            throw new InvalidOperationException("The frame did not parse back");
        }

        return WireMessages.ParseRequest(frame).Body;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
        GC.SuppressFinalize(this);
    }

    private static WireRequest Request(int size) =>
        new("bench-1", "commbus", "Publish", new JsonObject { ["payload"] = new string('x', size) });
}
