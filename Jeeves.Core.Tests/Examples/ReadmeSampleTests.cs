using System.Text;
using System.Text.Json.Nodes;
using Jeeves.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jeeves.Tests.Examples;

/// <summary>The README's capability sample, as written there, on the mock model.</summary>
public sealed class ReadmeSampleTests
{
    [Test]
    public async Task The_readme_capability_sample_streams_an_answer_and_completes()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddJeevesKernel()
            .AddCapability("qa", c => c
                .AddPrompt("answer", user: "{raw_input}", system: "Answer in one sentence.")
                .AddAgent(new AgentDefinition { Name = "respond", Prompt = "answer", OutputMode = AgentOutputMode.Text, StreamTokens = true })
                .AddAgent(new AgentDefinition { Name = "check", Handler = (ctx, ct) => ValueTask.FromResult(new JsonObject { ["ok"] = true }) })
                .AddPipeline(new PipelineConfig
                {
                    Name = "qa",
                    Stages = [new PipelineStage("respond", "respond", [RoutingRule.Always("check")]), new PipelineStage("check", "check")],
                    MaxLlmCalls = 3,
                }))
            .AddMockChatClient();
        using IHost host = builder.Build();
        await host.StartAsync();

        PipelineRunner runner = host.Services.GetRequiredService<PipelineRunner>();
        var text = new StringBuilder();
        RunResult? result = null;
        await foreach (RunEvent e in runner.StreamAsync(new RunRequest { Pipeline = "qa", Input = "Why is the sky blue?" }))
        {
            if (e is TokenDelta t)
            {
                _ = text.Append(t.Text);
            }

            if (e is RunCompleted done)
            {
                result = done.Result;
            }
        }

        await host.StopAsync();
        Assert.That(result?.TerminalReason, Is.EqualTo(TerminalReason.Completed));
        Assert.That(result!.Usage.LlmCalls, Is.EqualTo(1));
        Assert.That(text.ToString(), Is.Not.Empty);
        Assert.That(result.Outputs.ContainsKey("check"), Is.True);
    }

    [Test]
    public async Task AddJeevesKernel_alone_registers_a_runner_that_knows_no_pipelines()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddJeevesKernel();
        using IHost host = builder.Build();
        await host.StartAsync();

        PipelineRunner runner = host.Services.GetRequiredService<PipelineRunner>();
        RunResult result = await runner.RunAsync(new RunRequest { Pipeline = "none", Input = "x" });
        await host.StopAsync();

        Assert.That(runner.Capabilities.Capabilities, Is.Empty);
        Assert.That(result.Error, Is.EqualTo("Unknown pipeline 'none'. Registered pipelines: []"));
    }
}
