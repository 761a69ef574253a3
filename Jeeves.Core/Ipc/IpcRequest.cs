namespace Jeeves.Ipc;

/// <summary>A validated request as the host dispatches it: <see cref="WireRequest"/> with a body that may still be encoded.</summary>
/// <param name="Id">The client's request id (non-empty).</param>
/// <param name="Service">The service name (non-empty).</param>
/// <param name="Method">The method name (non-empty).</param>
/// <param name="Body">The body; a body that is not a map reads as empty.</param>
internal readonly record struct IpcRequest(string Id, string Service, string Method, IpcBody Body)
{
    /// <summary>Wraps a request whose body was decoded as a whole.</summary>
    public static IpcRequest From(in WireRequest request) => new(request.Id, request.Service, request.Method, request.Body);
}
