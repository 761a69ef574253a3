using System.Text.Json.Nodes;

namespace Jeeves.Kernel;

/// <summary>
/// Translates raw kernel events into the reference's pre-translated <c>frontend.*</c> companions (§14.3).
/// </summary>
internal static class FrontendEventTranslator
{
    /// <summary>Gets the companion event, or <see langword="null"/> when the raw event has none.</summary>
    public static KernelEvent? Translate(KernelEvent raw)
    {
        JsonObject p = raw.Payload;
        (string? type, JsonObject? data) = raw.EventType switch
        {
            "process.created" => ("orchestrator.started", new JsonObject { ["request_id"] = Str(p, "request_id"), ["pid"] = Str(p, "pid") }),
            "process.state_changed" when Str(p, "new_state") == "TERMINATED" =>
                ("orchestrator.completed", new JsonObject { ["request_id"] = Str(p, "pid"), ["status"] = "completed" }),
            "resource.exhausted" => ("orchestrator.resource_exhausted", new JsonObject
            {
                ["request_id"] = Str(p, "pid"),
                ["resource"] = Str(p, "reason"),
                ["usage"] = p["usage"]?.DeepClone(),
            }),
            "process.cancelled" => ("orchestrator.cancelled", new JsonObject { ["request_id"] = Str(p, "pid"), ["reason"] = Str(p, "reason") }),
            _ => (null, null),
        };

        return type is null
            ? null
            : new KernelEvent("frontend." + type, raw.Timestamp, new JsonObject { ["type"] = type, ["data"] = data });

        static string Str(JsonObject payload, string key) =>
            payload[key] is JsonValue v && v.TryGetValue(out string? s) ? s : string.Empty;
    }
}
