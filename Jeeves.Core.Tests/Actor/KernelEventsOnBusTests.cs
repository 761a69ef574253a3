using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Actor;

/// <summary>The kernel publishes its events on the client's message bus.</summary>
public sealed class KernelEventsOnBusTests
{
    [Test]
    public async Task CreateAndRun_EventsArriveInOrderWithKernelSource()
    {
        await using IKernelClient client = KernelClient.CreateInProcess(timeProvider: new FakeTimeProvider(TestKernel.Epoch));
        using var cts = new CancellationTokenSource();
        IAsyncEnumerable<BusEvent> events = client.CommBus.SubscribeAsync(["process.*", "orchestrator.*", "frontend.*"], cancellationToken: cts.Token);
        var pid = new ProcessId("p1");
        var config = new PipelineConfig { Name = "one", Stages = [new PipelineStage("only", "agent")] };

        await client.Orchestration.InitializeSessionAsync(pid, config, Envelope.Create(TestKernel.Epoch));
        await client.Orchestration.ReportAgentResultAsync(pid, new AgentResult { AgentName = "agent" });

        var received = new List<BusEvent>();
        await foreach (BusEvent e in events)
        {
            received.Add(e);
            if (e.EventType == "process.terminated")
            {
                break;
            }
        }

        Assert.That(received.Select(e => e.EventType), Is.EqualTo(new[]
        {
            "process.created", "frontend.orchestrator.started", "orchestrator.session_started",
            "orchestrator.agent_reported", "orchestrator.session_terminated", "process.terminated",
        }));
        Assert.That(received.Select(e => e.Source).Distinct(), Is.EqualTo(new[] { "kernel" }));
        Assert.That(received[0].Payload.GetProperty("pid").GetString(), Is.EqualTo("p1"));
        Assert.That(received[0].Timestamp, Is.EqualTo(TestKernel.Epoch));

        SystemStatus status = await client.Kernel.GetSystemStatusAsync();
        Assert.That(status.CommBus.EventsPublished, Is.GreaterThanOrEqualTo(6));
        Assert.That(status.CommBus.ActiveSubscribers, Is.Zero, "the subscription ended when the loop broke");
    }

    [Test]
    public async Task Publish_ThroughClient_ReachesSubscriber()
    {
        await using IKernelClient client = KernelClient.CreateInProcess(timeProvider: new FakeTimeProvider(TestKernel.Epoch));
        await using IAsyncEnumerator<BusEvent> reader = client.CommBus.SubscribeAsync(["app.ping"]).GetAsyncEnumerator();

        int delivered = await client.CommBus.PublishAsync("app.ping", JsonDocument.Parse("""{"n":1}""").RootElement, "test");

        Assert.That(delivered, Is.EqualTo(1));
        Assert.That(await reader.MoveNextAsync(), Is.True);
        Assert.That((reader.Current.EventType, reader.Current.Source, reader.Current.Payload.GetProperty("n").GetInt32()), Is.EqualTo(("app.ping", "test", 1)));
    }
}
