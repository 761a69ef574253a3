using System.Text.Json.Nodes;
using MessagePack;

namespace Jeeves.Ipc;

/// <summary>
/// A response body as a handler returns it: either a <see cref="JsonNode"/> (any method), or one of the hot views
/// (process, usage, quota check, system status) kept as the kernel's value and written straight to the MessagePack
/// writer by <see cref="IpcReplyWriter"/>, with the same bytes <see cref="WireValue"/> writes for the view's node.
/// </summary>
internal readonly struct IpcReply
{
    private readonly object? _value;
    private readonly Kind _kind;

    private IpcReply(object? value, Kind kind)
    {
        _value = value;
        _kind = kind;
    }

    private enum Kind
    {
        Node,
        Process,
        Usage,
        QuotaCheck,
        SystemStatus,
    }

    /// <summary>Wraps a body built as nodes.</summary>
    public static implicit operator IpcReply(JsonNode? node) => new(node, Kind.Node);

    /// <summary>The process view (<see cref="IpcViews.Process"/>).</summary>
    public static IpcReply Process(ProcessInfo process) => new(process, Kind.Process);

    /// <summary>The usage map (<see cref="IpcViews.Usage"/>).</summary>
    public static IpcReply Usage(ResourceUsage usage) => new(usage, Kind.Usage);

    /// <summary>The CheckQuota body (<see cref="IpcViews.QuotaCheck"/>).</summary>
    public static IpcReply QuotaCheck(QuotaCheckResult result) => new(result, Kind.QuotaCheck);

    /// <summary>The GetSystemStatus body (<see cref="IpcViews.SystemStatus"/>).</summary>
    public static IpcReply SystemStatus(SystemStatus status) => new(status, Kind.SystemStatus);

    /// <summary>Writes the body.</summary>
    public void Write(ref MessagePackWriter writer)
    {
        switch (_kind)
        {
            case Kind.Process:
                IpcReplyWriter.Process(ref writer, (ProcessInfo)_value!);
                break;
            case Kind.Usage:
                IpcReplyWriter.Usage(ref writer, (ResourceUsage)_value!);
                break;
            case Kind.QuotaCheck:
                IpcReplyWriter.QuotaCheck(ref writer, (QuotaCheckResult)_value!);
                break;
            case Kind.SystemStatus:
                IpcReplyWriter.SystemStatus(ref writer, (SystemStatus)_value!);
                break;
            default:
                WireValue.Write(ref writer, (JsonNode?)_value);
                break;
        }
    }

    /// <summary>Builds the body as nodes (what <see cref="Write"/> writes, decoded).</summary>
    public JsonNode? ToNode() => _kind switch
    {
        Kind.Process => IpcViews.Process((ProcessInfo)_value!),
        Kind.Usage => IpcViews.Usage((ResourceUsage)_value!),
        Kind.QuotaCheck => IpcViews.QuotaCheck((QuotaCheckResult)_value!),
        Kind.SystemStatus => IpcViews.SystemStatus((SystemStatus)_value!),
        _ => (JsonNode?)_value,
    };
}
