using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Kernel.Orchestration;

/// <summary>Merges a resume's <c>envelope_update</c> into an envelope (§4.5).</summary>
internal static class EnvelopeUpdates
{
    /// <summary>
    /// <c>raw_input</c> (a string) replaces the input; <c>metadata</c> (an object) merges into the audit metadata;
    /// <c>outputs</c> (agent → object) merges per key, or is ignored whole when any agent's value is not an object;
    /// any other key lands in the audit metadata as is. Identity, pipeline and bounds never change.
    /// </summary>
    public static Envelope Merge(Envelope envelope, JsonObject? update)
    {
        if (update is null)
        {
            return envelope;
        }

        Envelope e = envelope;
        foreach ((string key, JsonNode? value) in update)
        {
            switch (key)
            {
                case "raw_input":
                    if (value is JsonValue v && v.TryGetValue(out string? text))
                    {
                        e = e with { RawInput = text };
                    }

                    break;
                case "metadata":
                    if (value is JsonObject metadata)
                    {
                        var merged = e.Audit.Metadata.ToBuilder();
                        foreach ((string k, JsonNode? item) in metadata)
                        {
                            merged[k] = JsonValues.ToElement(item);
                        }

                        e = e with { Audit = e.Audit with { Metadata = merged.ToImmutable() } };
                    }

                    break;
                case "outputs":
                    if (value is JsonObject outputs && outputs.All(static kv => kv.Value is JsonObject))
                    {
                        var merged = e.Outputs.ToBuilder();
                        foreach ((string agent, JsonNode? agentOutput) in outputs)
                        {
                            JsonObject target = merged.TryGetValue(agent, out JsonElement existing) && existing.ValueKind == JsonValueKind.Object
                                ? JsonObject.Create(existing)!
                                : [];
                            var combined = (JsonObject)target.DeepClone();
                            foreach ((string k, JsonNode? item) in (JsonObject)agentOutput!)
                            {
                                combined[k] = item?.DeepClone();
                            }

                            merged[agent] = JsonValues.ToElement(combined);
                        }

                        e = e with { Outputs = merged.ToImmutable() };
                    }

                    break;
                default:
                    e = e with { Audit = e.Audit with { Metadata = e.Audit.Metadata.SetItem(key, JsonValues.ToElement(value)) } };
                    break;
            }
        }

        return e;
    }
}
