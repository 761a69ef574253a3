using Jeeves.Llm;
using Microsoft.Extensions.AI;

namespace Jeeves.Tests.Llm;

/// <summary>The per-call governance context carried in chat options.</summary>
public sealed class LlmCallContextTests
{
    private static readonly ProcessId s_pid = new("p1");

    [Test]
    public void AttachTo_ThenFromOptions_RoundTrips()
    {
        var context = new LlmCallContext(s_pid, "understand") { ModelRole = "planner", RemainingLlmCalls = 3 };
        var options = new ChatOptions();

        ChatOptions returned = context.AttachTo(options);

        Assert.That(returned, Is.SameAs(options));
        Assert.That(options.AdditionalProperties?[LlmCallContext.PropertyName], Is.SameAs(context));
        Assert.That(LlmCallContext.FromOptions(options), Is.SameAs(context));
        Assert.That(LlmCallContext.FromOptions(options.Clone()), Is.SameAs(context), "a cloned options object keeps the context");
        Assert.That(LlmCallContext.PropertyName, Is.EqualTo("jeeves.llm_call"));
    }

    [Test]
    public void FromOptions_WithoutAContext_IsNull()
    {
        Assert.That(LlmCallContext.FromOptions(null), Is.Null);
        Assert.That(LlmCallContext.FromOptions(new ChatOptions()), Is.Null);
        Assert.That(LlmCallContext.FromOptions(new ChatOptions { AdditionalProperties = new() { [LlmCallContext.PropertyName] = "not a context" } }), Is.Null);
    }

    [Test]
    public void Constructor_ValidatesItsArguments()
    {
        Assert.That(Assert.Throws<KernelException>(() => new LlmCallContext(default, "a"))?.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.Throws<KernelException>(() => new LlmCallContext(s_pid, string.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LlmCallContext(s_pid, "a") { RemainingLlmCalls = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LlmCallContext(s_pid, "a") { RemainingInputTokens = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LlmCallContext(s_pid, "a") { RemainingOutputTokens = -1 });
    }

    [Test]
    public void NewContext_StartsEmpty_AndDoesNotChargeTheKernel()
    {
        var context = new LlmCallContext(s_pid, "a");

        Assert.That((context.LlmCalls, context.InputTokens, context.OutputTokens, context.CostUsd), Is.EqualTo((0, 0L, 0L, 0m)));
        Assert.That((context.EstimatedCalls, context.UnpricedCalls, context.ChargeKernel), Is.EqualTo((0, 0, false)));
        Assert.That((context.RemainingLlmCalls, context.RemainingInputTokens, context.RemainingOutputTokens), Is.EqualTo(((int?)null, (long?)null, (long?)null)));
    }

    [Test]
    public void RuntimeOptions_CarryTheContextThroughClonesWithoutAdditionalProperties()
    {
        var context = new LlmCallContext(new ProcessId("p"), "a");
        var options = new MeteredChatOptions(context) { Temperature = 0.5f };

        ChatOptions clone = options.Clone();

        Assert.That(options.AdditionalProperties, Is.Null, "nothing a provider could put on the wire");
        Assert.That(clone, Is.TypeOf<MeteredChatOptions>());
        Assert.That(clone.Temperature, Is.EqualTo(0.5f));
        Assert.That(LlmCallContext.FromOptions(clone), Is.SameAs(context));
        Assert.That(LlmCallContext.FromOptions(options), Is.SameAs(context));
    }
}
