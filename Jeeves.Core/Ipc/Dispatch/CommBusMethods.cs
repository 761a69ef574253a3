using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>
/// The <c>commbus</c> service (ipc.md §6.3). Bus errors keep their kinds: no handler is NOT_FOUND and a query timeout
/// TIMEOUT (COMPATIBILITY.md, CommBus); the reference wraps both as INTERNAL.
/// </summary>
internal static class CommBusMethods
{
    private const string Service = "commbus";

    public static void Register(IpcMethodTable table)
    {
        table.Add(Service, "Publish", PublishAsync);
        table.Add(Service, "Send", SendAsync);
        table.Add(Service, "Query", QueryAsync);
        table.AddStream(Service, "Subscribe", Subscribe);
    }

    private static async ValueTask<JsonNode> PublishAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string eventType = IpcFields.RequireString(body, "event_type");
        JsonElement payload = Payload(body);
        string source = IpcFields.OptionalString(body, "source", string.Empty);
        int delivered = await client.CommBus.PublishAsync(eventType, payload, source, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["delivered"] = delivered, ["success"] = true };
    }

    private static async ValueTask<JsonNode> SendAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string commandType = IpcFields.RequireString(body, "command_type");
        JsonElement payload = Payload(body);
        string source = IpcFields.OptionalString(body, "source", string.Empty);
        await client.CommBus.SendAsync(commandType, payload, source, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["error"] = string.Empty, ["success"] = true };
    }

    /// <summary><c>timeout_ms</c>: absent, negative or not an integer means the bus default; the bus caps long ones.</summary>
    private static async ValueTask<JsonNode> QueryAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string queryType = IpcFields.RequireString(body, "query_type");
        JsonElement payload = Payload(body);
        string source = IpcFields.OptionalString(body, "source", string.Empty);
        TimeSpan? timeout = IpcFields.OptionalInt64(body, "timeout_ms") is >= 0 and long ms
            ? TimeSpan.FromMilliseconds(Math.Min(ms, int.MaxValue))
            : null;
        QueryResponse response = await client.CommBus.QueryAsync(queryType, payload, source, timeout, cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["error"] = response.Error,
            ["result"] = DispatchJson.ToNode(response.Result),
            ["success"] = response.Success,
        };
    }

    /// <summary>
    /// Validates the request and registers the subscription before it returns; the chunks follow as events arrive.
    /// Non-string types are dropped; nothing left is <c>event_types is required (non-empty array)</c>.
    /// </summary>
    private static IAsyncEnumerable<JsonNode> Subscribe(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        List<string> types = IpcFields.OptionalArray(body, "event_types") is { } array ? IpcFields.Strings(array) : [];
        if (types.Count == 0)
        {
            throw KernelErrors.Validation("event_types is required (non-empty array)");
        }

        string? subscriber = IpcFields.OptionalString(body, "subscriber_id") is { Length: > 0 } id ? id : null;
        IAsyncEnumerable<BusEvent> events = client.CommBus.SubscribeAsync(types.Distinct(StringComparer.Ordinal).ToList(), subscriber, cancellationToken);
        return Chunks(events, cancellationToken);
    }

    private static async IAsyncEnumerable<JsonNode> Chunks(IAsyncEnumerable<BusEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (BusEvent e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return IpcViews.Event(e);
        }
    }

    /// <summary>
    /// The <c>payload</c>: a string must hold one JSON value (<c>Invalid JSON payload: …</c> otherwise) and is kept as
    /// sent; anything else, or nothing, is <c>{}</c>.
    /// </summary>
    private static JsonElement Payload(JsonObject body)
    {
        if (IpcFields.OptionalString(body, "payload") is not { } text)
        {
            return JsonElement.Parse("{}");
        }

        try
        {
            return JsonElement.Parse(text);
        }
        catch (JsonException ex)
        {
            throw KernelErrors.Validation("Invalid JSON payload: " + ex.Message, ex);
        }
    }
}
