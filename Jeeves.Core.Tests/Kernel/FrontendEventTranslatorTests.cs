using System.Text.Json.Nodes;
using Jeeves.Kernel;

namespace Jeeves.Tests.Kernel;

/// <summary>The frontend companion events (reference events/translation.rs).</summary>
public sealed class FrontendEventTranslatorTests
{
    private static KernelEvent Raw(string type, JsonObject payload) => new(type, TestKernel.Epoch, payload);

    [Test]
    public void ProcessCreated_OrchestratorStarted()
    {
        KernelEvent? e = FrontendEventTranslator.Translate(Raw("process.created", new JsonObject { ["pid"] = "p1", ["request_id"] = "r1" }));

        Assert.That(e!.EventType, Is.EqualTo("frontend.orchestrator.started"));
        Assert.That(e.Timestamp, Is.EqualTo(TestKernel.Epoch));
        Assert.That(e.Payload.ToJsonString(), Is.EqualTo("""{"type":"orchestrator.started","data":{"request_id":"r1","pid":"p1"}}"""));
    }

    [Test]
    public void StateChangedToTerminated_OrchestratorCompletedWithPidAsRequestId()
    {
        KernelEvent? e = FrontendEventTranslator.Translate(Raw("process.state_changed", new JsonObject { ["pid"] = "p1", ["new_state"] = "TERMINATED" }));

        Assert.That(e!.Payload.ToJsonString(), Is.EqualTo("""{"type":"orchestrator.completed","data":{"request_id":"p1","status":"completed"}}"""));
    }

    [TestCase("WAITING")]
    [TestCase("READY")]
    public void StateChangedOtherwise_None(string state)
    {
        Assert.That(FrontendEventTranslator.Translate(Raw("process.state_changed", new JsonObject { ["pid"] = "p1", ["new_state"] = state })), Is.Null);
    }

    [Test]
    public void ResourceExhausted_CarriesReasonAndUsage()
    {
        var usage = new JsonObject { ["llm_calls"] = 5 };

        KernelEvent? e = FrontendEventTranslator.Translate(Raw("resource.exhausted", new JsonObject { ["pid"] = "p1", ["reason"] = "llm", ["usage"] = usage }));

        Assert.That(e!.Payload.ToJsonString(), Is.EqualTo("""{"type":"orchestrator.resource_exhausted","data":{"request_id":"p1","resource":"llm","usage":{"llm_calls":5}}}"""));
    }

    [Test]
    public void ProcessCancelled_OrchestratorCancelled()
    {
        KernelEvent? e = FrontendEventTranslator.Translate(Raw("process.cancelled", new JsonObject { ["pid"] = "p1", ["reason"] = "user" }));

        Assert.That(e!.Payload.ToJsonString(), Is.EqualTo("""{"type":"orchestrator.cancelled","data":{"request_id":"p1","reason":"user"}}"""));
    }

    [TestCase("internal.debug")]
    [TestCase("process.terminated")]
    [TestCase("process.resumed")]
    public void Unknown_None(string type)
    {
        Assert.That(FrontendEventTranslator.Translate(Raw(type, new JsonObject { ["pid"] = "p1" })), Is.Null);
    }

    [Test]
    public void MissingFields_EmptyStringsAndNullUsage()
    {
        KernelEvent? e = FrontendEventTranslator.Translate(Raw("resource.exhausted", []));

        Assert.That(e!.Payload.ToJsonString(), Is.EqualTo("""{"type":"orchestrator.resource_exhausted","data":{"request_id":"","resource":"","usage":null}}"""));
    }

    /// <summary>Invariant 25: translation is total and only the four listed types (TERMINATED state changes only) translate.</summary>
    [FsCheck.NUnit.Property(MaxTest = 500)]
    public bool Translate_AnyTypeAndPayload_NeverThrowsAndTranslatesOnlyTheListedTypes(FsCheck.NonNull<string> type, string? pid, string? newState, int? usage)
    {
        string[] types = ["process.created", "process.state_changed", "resource.exhausted", "process.cancelled"];
        string eventType = type.Get.Length % 3 == 0 ? types[type.Get.Length % types.Length] : type.Get;
        var payload = new JsonObject { ["pid"] = pid, ["new_state"] = newState, ["usage"] = usage, ["reason"] = usage };

        KernelEvent? translated = FrontendEventTranslator.Translate(Raw(eventType, payload));

        bool expected = eventType switch
        {
            "process.state_changed" => newState == "TERMINATED",
            "process.created" or "resource.exhausted" or "process.cancelled" => true,
            _ => false,
        };
        return (translated is not null) == expected && (translated is null || translated.EventType.StartsWith("frontend.orchestrator.", StringComparison.Ordinal));
    }
}
