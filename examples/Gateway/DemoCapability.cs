using System.Text.Json.Nodes;
using Jeeves.Runtime;

namespace Jeeves.Examples.Gateway;

/// <summary>
/// The capability the gateway serves by default, a small stand-in until the onboarding chatbot (examples/HelloWorld) can
/// run on the library's mock model: <c>understand</c> reads the question (and asks which city when a weather question
/// names none), then <c>respond</c> streams the answer from the model.
/// </summary>
public sealed class DemoCapability : ICapability
{
    /// <summary>The pipeline's name.</summary>
    public const string PipelineName = "gateway_demo";

    /// <summary>The question asked when a weather question names no city.</summary>
    public const string CityQuestion = "Which city do you mean?";

    private static readonly string[] s_cities = ["Paris", "London", "Berlin", "Madrid", "Rome", "Tokyo", "New York", "Lisbon"];

    /// <inheritdoc/>
    public string Id => "gateway_demo";

    /// <inheritdoc/>
    public void Register(CapabilityBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder
            .AddAgent(new AgentDefinition { Name = "understand", Description = "Reads the question; asks which city when needed.", Handler = UnderstandAsync })
            .AddAgent(new AgentDefinition
            {
                Name = "respond",
                Description = "Answers the question, streaming the reply.",
                Prompt = "respond",
                OutputMode = AgentOutputMode.Text,
                StreamTokens = true,
            })
            .AddPrompt("respond", "Question: {user_input}\nTopic: {topic}\nCity: {city}", "You are Jeeves, a helpful assistant. Answer briefly.")
            .AddPipeline(new PipelineConfig
            {
                Name = PipelineName,
                Stages = [new PipelineStage("understand", "understand", [RoutingRule.Always("respond")]), new PipelineStage("respond", "respond")],
            });
    }

    private static ValueTask<JsonObject> UnderstandAsync(AgentContext context, CancellationToken cancellationToken)
    {
        string input = context.Input;
        bool weather = input.Contains("weather", StringComparison.OrdinalIgnoreCase) || input.Contains("forecast", StringComparison.OrdinalIgnoreCase);
        string? city = s_cities.FirstOrDefault(c => input.Contains(c, StringComparison.OrdinalIgnoreCase));
        if (weather && city is null)
        {
            // Resumed after the question: the answer is the city.
            if (context.LastInterrupt is { Status: InterruptStatus.Resolved, Response.Text: { Length: > 0 } answer })
            {
                city = answer.Trim();
            }
            else
            {
                context.RequestInterrupt(InterruptKind.Clarification, CityQuestion);
                return ValueTask.FromResult(new JsonObject { ["topic"] = "weather", ["city"] = string.Empty });
            }
        }

        return ValueTask.FromResult(new JsonObject { ["topic"] = weather ? "weather" : "general", ["city"] = city ?? string.Empty });
    }
}
