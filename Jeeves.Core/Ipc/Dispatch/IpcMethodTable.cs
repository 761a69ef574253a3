using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>
/// Routes a request's (service, method) to its handler (ipc.md §6.0). Names are case-sensitive. An unknown service is
/// <c>not found: Unknown service: &lt;service&gt;</c> and an unknown method <c>not found: Unknown &lt;service&gt;
/// method: &lt;method&gt;</c>, both <see cref="KernelErrorCode.NotFound"/>. Besides the reference's five services the
/// table routes <c>engine</c> (DESIGN.md §4). Streaming methods (<c>commbus.Subscribe</c>) have their own entry point.
/// </summary>
/// <remarks>
/// Handlers read the body with the reference's lenient rules (<see cref="IpcFields"/>), call the client, and build the
/// response body (<see cref="IpcViews"/>). Every failure is a <see cref="KernelException"/> carrying the wire code and
/// message. The table is immutable once built and safe to share between connections.
/// </remarks>
internal sealed class IpcMethodTable
{
    /// <summary>How deep a request body may nest: the kernel stores JSON values up to 64 levels.</summary>
    public const int MaxDepth = 64;

    private readonly Dictionary<string, Dictionary<string, Func<IKernelClient, IpcBody, CancellationToken, ValueTask<IpcReply>>>> _unary =
        new(StringComparer.Ordinal);

    // Every service and method name, so the host reads a routed name without allocating it.
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    private readonly Dictionary<string, Dictionary<string, Func<IKernelClient, JsonObject, CancellationToken, IAsyncEnumerable<JsonNode>>>> _streams =
        new(StringComparer.Ordinal);

    private IpcMethodTable()
    {
    }

    /// <summary>Gets the table of every routed method.</summary>
    public static IpcMethodTable Default { get; } = Create();

    /// <summary>Gets the number of routed methods, streaming ones included.</summary>
    public int Count => _unary.Values.Sum(static m => m.Count) + _streams.Values.Sum(static m => m.Count);

    /// <summary>Gets every routed (service, method) pair, streaming ones included, sorted.</summary>
    public IReadOnlyList<(string Service, string Method)> Methods =>
        _unary.SelectMany(static s => s.Value.Keys.Select(m => (s.Key, m)))
            .Concat(_streams.SelectMany(static s => s.Value.Keys.Select(m => (s.Key, m))))
            .Order()
            .ToList();

    /// <summary>Runs a request/response method.</summary>
    /// <param name="client">The kernel to call.</param>
    /// <param name="service">The request's <c>service</c>.</param>
    /// <param name="method">The request's <c>method</c>.</param>
    /// <param name="body">The request's <c>body</c>; <see langword="null"/> (a nil body) reads as empty.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The response body.</returns>
    /// <exception cref="KernelException">The method is unknown (<see cref="KernelErrorCode.NotFound"/>), streams
    /// (<see cref="KernelErrorCode.InvalidArgument"/>), or failed with its own code.</exception>
    public ValueTask<JsonNode> DispatchAsync(IKernelClient client, string service, string method, JsonObject? body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(method);
        return ToNodeAsync(Handler(service, method)(client, Checked(body), cancellationToken));

        static async ValueTask<JsonNode> ToNodeAsync(ValueTask<IpcReply> reply) => (await reply.ConfigureAwait(false)).ToNode()!;
    }

    /// <summary>Runs a request/response method for the host; the reply is written without building nodes where the method allows.</summary>
    /// <param name="client">The kernel to call.</param>
    /// <param name="request">The request; an encoded body has been checked by <see cref="WireRequestReader"/>.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The response body.</returns>
    /// <exception cref="KernelException">As <see cref="DispatchAsync(IKernelClient, string, string, JsonObject?, CancellationToken)"/>.</exception>
    public ValueTask<IpcReply> DispatchAsync(IKernelClient client, in IpcRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var handler = Handler(request.Service, request.Method);
        IpcBody body = request.Body.IsEncoded ? request.Body : Checked(request.Body.ToObject());
        return handler(client, body, cancellationToken);
    }

    /// <summary>Returns a routed name as the table's own string, so reading it allocates nothing; other names are allocated.</summary>
    public string Intern(ReadOnlySpan<char> name) =>
        _names.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out string? known) ? known : name.ToString();

    /// <summary>Gets a value indicating whether the table routes a service (any of its methods).</summary>
    public bool IsRouted(string service) => _unary.ContainsKey(service) || _streams.ContainsKey(service);

    /// <summary>Gets a value indicating whether the table routes a method, streaming or not.</summary>
    public bool IsRouted(string service, string method) =>
        (_unary.TryGetValue(service, out var unary) && unary.ContainsKey(method)) || IsStreaming(service, method);

    /// <summary>Gets a value indicating whether a method streams its answer (the host then sends stream chunks).</summary>
    public bool IsStreaming(string service, string method) =>
        _streams.TryGetValue(service, out var methods) && methods.ContainsKey(method);

    /// <summary>
    /// Opens a streaming method. The request is validated, and the subscription registered, before this method returns,
    /// so a failure can be answered with an error frame and no event published afterwards is missed.
    /// </summary>
    /// <param name="client">The kernel to call.</param>
    /// <param name="service">The request's <c>service</c>.</param>
    /// <param name="method">The request's <c>method</c>.</param>
    /// <param name="body">The request's <c>body</c>; <see langword="null"/> reads as empty.</param>
    /// <param name="cancellationToken">The token that ends the stream.</param>
    /// <returns>The chunk bodies, until <paramref name="cancellationToken"/> is cancelled or the consumer stops.</returns>
    /// <exception cref="KernelException">The method is unknown (<see cref="KernelErrorCode.NotFound"/>), does not stream
    /// (<see cref="KernelErrorCode.InvalidArgument"/>), or its request is invalid.</exception>
    public IAsyncEnumerable<JsonNode> OpenStream(IKernelClient client, string service, string method, JsonObject? body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(method);
        if (_streams.TryGetValue(service, out var methods) && methods.TryGetValue(method, out var handler))
        {
            return handler(client, Checked(body), cancellationToken);
        }

        throw _unary.TryGetValue(service, out var unary) && unary.ContainsKey(method)
            ? KernelErrors.Validation($"{service}.{method} is not a streaming method")
            : Unknown(service, method);
    }

    /// <summary>Registers a request/response method whose handler reads fields from the (possibly encoded) body and may write its reply directly.</summary>
    internal void Add(string service, string method, Func<IKernelClient, IpcBody, CancellationToken, ValueTask<IpcReply>> handler)
    {
        ServiceMethods(_unary, service).Add(method, handler);
        _names.Add(service);
        _names.Add(method);
    }

    /// <summary>Registers a request/response method that works on the decoded body and builds its reply as nodes.</summary>
    internal void Add(string service, string method, Func<IKernelClient, JsonObject, CancellationToken, ValueTask<JsonNode>> handler) =>
        Add(service, method, (client, body, ct) => ToReplyAsync(handler(client, body.ToObject(), ct)));

    /// <summary>Registers a streaming method.</summary>
    internal void AddStream(string service, string method, Func<IKernelClient, JsonObject, CancellationToken, IAsyncEnumerable<JsonNode>> handler)
    {
        ServiceMethods(_streams, service).Add(method, handler);
        _names.Add(service);
        _names.Add(method);
    }

    private static async ValueTask<IpcReply> ToReplyAsync(ValueTask<JsonNode> reply) => await reply.ConfigureAwait(false);

    private Func<IKernelClient, IpcBody, CancellationToken, ValueTask<IpcReply>> Handler(string service, string method)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(method);
        if (_unary.TryGetValue(service, out var methods) && methods.TryGetValue(method, out var handler))
        {
            return handler;
        }

        throw IsStreaming(service, method)
            ? KernelErrors.Validation($"{service}.{method} is a streaming method")
            : Unknown(service, method);
    }

    /// <summary>
    /// The body, refused when it nests deeper than the kernel stores JSON values (<see cref="MaxDepth"/>); the codec
    /// admits up to 1023 levels, as the reference does.
    /// </summary>
    private static JsonObject Checked(JsonObject? body)
    {
        if (body is null)
        {
            return [];
        }

        return Depth(body, 1) > MaxDepth
            ? throw KernelErrors.Validation($"Request body nests deeper than {MaxDepth} levels")
            : body;

        static int Depth(JsonNode? node, int depth) => node switch
        {
            _ when depth > MaxDepth => depth,
            JsonObject o => o.Select(p => Depth(p.Value, depth + 1)).DefaultIfEmpty(depth).Max(),
            JsonArray a => a.Select(v => Depth(v, depth + 1)).DefaultIfEmpty(depth).Max(),
            _ => depth - 1,
        };
    }

    private KernelException Unknown(string service, string method) =>
        _unary.ContainsKey(service) || _streams.ContainsKey(service)
            ? KernelErrors.NotFound($"Unknown {service} method: {method}")
            : KernelErrors.NotFound($"Unknown service: {service}");

    private static Dictionary<string, T> ServiceMethods<T>(Dictionary<string, Dictionary<string, T>> services, string service)
    {
        if (!services.TryGetValue(service, out Dictionary<string, T>? methods))
        {
            methods = new Dictionary<string, T>(StringComparer.Ordinal);
            services.Add(service, methods);
        }

        return methods;
    }

    private static IpcMethodTable Create()
    {
        var table = new IpcMethodTable();
        KernelMethods.Register(table);
        EngineMethods.Register(table);
        OrchestrationMethods.Register(table);
        CommBusMethods.Register(table);
        InterruptMethods.Register(table);
        ToolMethods.Register(table);
        return table;
    }
}
