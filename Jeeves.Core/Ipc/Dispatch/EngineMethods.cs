using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>
/// The <c>engine</c> service, which the reference documents but never routes (ipc.md §6.6, COMPATIBILITY.md Q19).
/// Envelopes and pipeline configurations are accepted as maps or, as the historical implementation sends them, as
/// JSON text.
/// </summary>
internal static class EngineMethods
{
    private const string Service = "engine";

    public static void Register(IpcMethodTable table)
    {
        table.Add(Service, "CreateEnvelope", CreateEnvelopeAsync);
        table.Add(Service, "CheckBounds", CheckBoundsAsync);
        table.Add(Service, "UpdateEnvelope", UpdateEnvelopeAsync);
        table.Add(Service, "ExecutePipeline", ExecutePipelineAsync);
        table.Add(Service, "CloneEnvelope", CloneEnvelopeAsync);
    }

    private static async ValueTask<JsonNode> CreateEnvelopeAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        var options = new CreateEnvelopeOptions
        {
            RawInput = IpcFields.OptionalString(body, "raw_input"),
            RequestId = IpcFields.OptionalString(body, "request_id"),
            UserId = IpcFields.OptionalString(body, "user_id"),
            SessionId = IpcFields.OptionalString(body, "session_id"),
            StageOrder = IpcFields.OptionalArray(body, "stage_order") is { } order ? IpcFields.Strings(order) : null,
        };
        return IpcViews.Envelope(await client.Engine.CreateEnvelopeAsync(options, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The body is the envelope itself.</summary>
    private static async ValueTask<JsonNode> CheckBoundsAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        Envelope envelope = OrchestrationMethods.ReadEnvelope(body);
        return IpcViews.Bounds(await client.Engine.CheckBoundsAsync(envelope, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<JsonNode> UpdateEnvelopeAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        Envelope envelope = RequireEnvelope(body);
        return IpcViews.Envelope(await client.Engine.UpdateEnvelopeAsync(envelope, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<JsonNode> ExecutePipelineAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        Envelope envelope = RequireEnvelope(body);
        JsonNode configNode = Require(body, "pipeline_config");
        if (IpcFields.AsString(configNode) is { } text)
        {
            try
            {
                configNode = JsonNode.Parse(text) ?? throw KernelErrors.Validation("Invalid pipeline_config: invalid type: null, expected struct PipelineConfig");
            }
            catch (JsonException ex)
            {
                throw KernelErrors.Validation("Invalid pipeline_config: " + ex.Message, ex);
            }
        }

        PipelineConfig config = IpcSchemas.ReadPipelineConfig(configNode);
        return IpcViews.Instruction(await client.Engine.ExecutePipelineAsync(envelope, config, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<JsonNode> CloneEnvelopeAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        Envelope envelope = RequireEnvelope(body);
        return IpcViews.Envelope(await client.Engine.CloneEnvelopeAsync(envelope, cancellationToken).ConfigureAwait(false));
    }

    private static Envelope RequireEnvelope(JsonObject body) => OrchestrationMethods.ReadEnvelope(Require(body, "envelope"));

    /// <summary>A map or a JSON string; MISSING otherwise.</summary>
    private static JsonNode Require(JsonObject body, string name) =>
        IpcFields.Get(body, name) is { } node && (node is JsonObject || IpcFields.AsString(node) is not null)
            ? node
            : throw IpcFields.Missing(name);
}
