namespace Jeeves.Observability;

/// <summary>
/// The names of the library's meter and of every instrument it creates (STYLE.md P16), in one place: lowercase,
/// dot-separated, <c>snake_case</c> inside a segment, units per UCUM. A new instrument adds its name here and its
/// instrument to <see cref="KernelMetrics"/>.
/// </summary>
internal static class TelemetryNames
{
    /// <summary>The meter (and, later, activity source) name: <c>Jeeves.Core</c>, as MEAI names both after its package.</summary>
    public const string Meter = "Jeeves.Core";

    /// <summary>Connections the IPC host is serving (UpDownCounter, <c>{connection}</c>).</summary>
    public const string IpcActiveConnections = "jeeves.ipc.active_connections";

    /// <summary>Requests the IPC host answered, by service and method (Counter, <c>{request}</c>).</summary>
    public const string IpcRequests = "jeeves.ipc.requests";

    /// <summary>Time from a parsed request to its reply sent (Histogram, <c>s</c>).</summary>
    public const string IpcRequestDuration = "jeeves.ipc.request.duration";
}
