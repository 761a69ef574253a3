using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>The <c>interrupt</c> service (ipc.md §6.4), with our semantics where COMPATIBILITY.md differs.</summary>
internal static class InterruptMethods
{
    private const string Service = "interrupt";

    public static void Register(IpcMethodTable table)
    {
        table.Add(Service, "CreateInterrupt", CreateInterruptAsync);
        table.Add(Service, "ResolveInterrupt", ResolveInterruptAsync);
        table.Add(Service, "CancelInterrupt", CancelInterruptAsync);
        table.Add(Service, "GetInterrupt", GetInterruptAsync);
        table.Add(Service, "GetPendingForSession", GetPendingForSessionAsync);
    }

    /// <summary>
    /// Raises an interrupt. Beyond the reference's fields, an optional non-empty <c>process_id</c> links it to a running
    /// process, which then waits for it (DESIGN.md §4 decision 6).
    /// </summary>
    private static async ValueTask<JsonNode> CreateInterruptAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        CreateInterruptRequest request = ReadCreateRequest(body);
        return IpcViews.Interrupt(await client.Interrupts.CreateAsync(request, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads the map <c>CreateInterrupt</c> takes; <c>ReportAgentResult</c>'s optional <c>interrupt</c> has the same shape.</summary>
    internal static CreateInterruptRequest ReadCreateRequest(JsonObject body)
    {
        string kindText = IpcFields.RequireString(body, "kind");
        if (!WireNames.TryParseInterruptKind(kindText, out InterruptKind kind))
        {
            throw KernelErrors.Validation("Invalid interrupt kind: " + kindText);
        }

        return new CreateInterruptRequest
        {
            Kind = kind,
            RequestId = IpcFields.RequireString(body, "request_id"),
            UserId = IpcFields.RequireString(body, "user_id"),
            SessionId = IpcFields.RequireString(body, "session_id"),
            EnvelopeId = IpcFields.RequireString(body, "envelope_id"),
            Question = IpcFields.OptionalString(body, "question"),
            Message = IpcFields.OptionalString(body, "message"),
            Data = (JsonObject?)IpcFields.OptionalObject(body, "data")?.DeepClone() ?? [],
            ProcessId = ProcessId.TryCreate(IpcFields.OptionalString(body, "process_id"), out ProcessId pid) ? pid : null,
        };
    }

    /// <summary>
    /// Resolves an interrupt. The response is parsed before the lookup; its <c>received_at</c> is optional and the
    /// kernel stamps it (COMPATIBILITY.md Q15). A kind that requires an answer refuses an empty one (Q14).
    /// </summary>
    private static async ValueTask<JsonNode> ResolveInterruptAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string id = IpcFields.RequireString(body, "interrupt_id");
        string? user = IpcFields.OptionalString(body, "user_id");
        InterruptResponse response = IpcSchemas.ReadInterruptResponse(IpcFields.Get(body, "response"));
        bool success = await client.Interrupts.ResolveAsync(id, response, user, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["success"] = success };
    }

    private static async ValueTask<JsonNode> CancelInterruptAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string id = IpcFields.RequireString(body, "interrupt_id");
        string reason = IpcFields.OptionalString(body, "reason", "cancelled");
        bool success = await client.Interrupts.CancelAsync(id, reason, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["success"] = success };
    }

    private static async ValueTask<JsonNode> GetInterruptAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string id = IpcFields.RequireString(body, "interrupt_id");
        KernelInterrupt interrupt = await client.Interrupts.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw KernelErrors.NotFound($"Interrupt {id} not found");
        return IpcViews.Interrupt(interrupt);
    }

    /// <summary>Invalid kinds are dropped; an array of only invalid kinds matches nothing; a non-array means no filter.</summary>
    private static async ValueTask<JsonNode> GetPendingForSessionAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string session = IpcFields.RequireString(body, "session_id");
        List<InterruptKind>? kinds = null;
        if (IpcFields.OptionalArray(body, "kinds") is { } array)
        {
            kinds = [];
            foreach (string text in IpcFields.Strings(array))
            {
                if (WireNames.TryParseInterruptKind(text, out InterruptKind kind))
                {
                    kinds.Add(kind);
                }
            }
        }

        IReadOnlyList<KernelInterrupt> pending = await client.Interrupts.GetPendingForSessionAsync(session, kinds, cancellationToken).ConfigureAwait(false);
        var list = new JsonArray();
        foreach (KernelInterrupt interrupt in pending)
        {
            list.Add((JsonNode)IpcViews.Interrupt(interrupt));
        }

        return new JsonObject { ["interrupts"] = list };
    }
}
