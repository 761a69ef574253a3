namespace Jeeves.Observability;

/// <summary>Tag keys and shared tag values, after the OpenTelemetry RPC and error conventions.</summary>
internal static class TelemetryTags
{
    /// <summary>The IPC service (<c>kernel</c>, <c>orchestration</c>…).</summary>
    public const string RpcService = "rpc.service";

    /// <summary>The IPC method (<c>GetProcess</c>…).</summary>
    public const string RpcMethod = "rpc.method";

    /// <summary>The failure: the wire error code (<c>NOT_FOUND</c>…); absent on success.</summary>
    public const string ErrorType = "error.type";

    /// <summary>The value for a service or method the host does not route, so a client cannot raise the tags' cardinality.</summary>
    public const string Other = "_OTHER";
}
