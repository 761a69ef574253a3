using Jeeves.Llm;

namespace Jeeves.Tests.Llm;

/// <summary>Price lookup and cost calculation (spec/runtime.md §6.6, quirk Q12 fixed).</summary>
public sealed class LlmPriceTableTests
{
    [TestCase("gpt-4o-mini", "gpt-4o-mini", 0.00015, 0.0006)]
    [TestCase("gpt-4o-mini-2024-07-18", "gpt-4o-mini", 0.00015, 0.0006)]
    [TestCase("gpt-4o-2024-08-06", "gpt-4o", 0.0025, 0.01)]
    [TestCase("gpt-4-turbo-2024-04-09", "gpt-4-turbo", 0.01, 0.03)]
    [TestCase("gpt-4-0613", "gpt-4", 0.03, 0.06)]
    [TestCase("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini", 0.0004, 0.0016)]
    [TestCase("GPT-4.1", "gpt-4.1", 0.002, 0.008)]
    [TestCase("claude-3-haiku-20240307", "claude-3-haiku", 0.00025, 0.00125)]
    public void FindPrice_TakesTheLongestMatchingPrefix(string model, string key, double input, double output)
    {
        LlmPrice price = LlmPriceTable.CreateDefault().FindPrice(model);

        Assert.That(price.ModelPrefix, Is.EqualTo(key));
        Assert.That((price.InputPer1KTokens, price.OutputPer1KTokens), Is.EqualTo(((decimal)input, (decimal)output)));
        Assert.That(price.IsKnown, Is.True);
    }

    [Test]
    public void FindPrice_ExactKey_IsAnExactMatch()
    {
        LlmPrice price = LlmPriceTable.CreateDefault().FindPrice("gpt-3.5-turbo", "openai");

        Assert.That(price, Is.EqualTo(new LlmPrice(0.0015m, 0.002m, LlmPriceMatch.Exact, "gpt-3.5-turbo", "openai")));
    }

    [TestCase("llama3.2", null)]
    [TestCase("default", null)]
    [TestCase("default-model", null)]
    [TestCase("gpt-4o", "azure")]
    public void FindPrice_UnknownModelOrProvider_IsUnknownAndFree(string model, string? provider)
    {
        LlmPriceTable table = LlmPriceTable.CreateDefault();

        LlmPrice price = table.FindPrice(model, provider);

        Assert.That(price.IsKnown, Is.False);
        Assert.That(price.Match, Is.EqualTo(LlmPriceMatch.Unknown));
        Assert.That(table.CalculateCost(model, 1_000_000, 1_000_000, provider), Is.Zero);
    }

    [Test]
    public void FindPrice_WithAProvider_FallsBackToItsDefault_NeverByPrefix()
    {
        LlmPriceTable table = LlmPriceTable.CreateDefault();

        LlmPrice openai = table.FindPrice("davinci-002", "openai");
        LlmPrice local = table.FindPrice("llama3.2", "LlamaServer");
        LlmPrice anthropicForGpt = table.FindPrice("gpt-4o", "anthropic");

        Assert.That((openai.Match, openai.InputPer1KTokens, openai.OutputPer1KTokens), Is.EqualTo((LlmPriceMatch.ProviderDefault, 0.0015m, 0.002m)));
        Assert.That((local.Match, local.InputPer1KTokens), Is.EqualTo((LlmPriceMatch.ProviderDefault, 0m)));
        Assert.That((anthropicForGpt.Match, anthropicForGpt.InputPer1KTokens), Is.EqualTo((LlmPriceMatch.ProviderDefault, 0.003m)), "another provider's keys do not apply");
    }

    [Test]
    public void CalculateCost_RoundsToSixDecimals_HalfToEven()
    {
        var table = new LlmPriceTable();
        table.SetPrice("m", 0.0025m, 0m);

        Assert.That(table.CalculateCost("m", 1, 0), Is.EqualTo(0.000002m), "0.0000025 rounds to even");
        Assert.That(table.CalculateCost("m", 3, 0), Is.EqualTo(0.000008m), "0.0000075 rounds to even");
        Assert.That(table.CalculateCost("gpt-4", 1000, 500), Is.EqualTo(0m), "an empty table knows no models");
        Assert.That(LlmPriceTable.CreateDefault().CalculateCost("gpt-4", 1000, 500), Is.EqualTo(0.06m));
    }

    [Test]
    public void SetPrice_ChangesOnlyThatTable()
    {
        LlmPriceTable custom = LlmPriceTable.CreateDefault();
        LlmPriceTable copy = custom.Clone();

        custom.SetPrice("gpt-4o", 1m, 1m, "openai");
        custom.SetPrice("my-model", 0.5m, 0.5m);

        Assert.That(custom.FindPrice("gpt-4o").InputPer1KTokens, Is.EqualTo(1m));
        Assert.That(custom.FindPrice("my-model-v2").ModelPrefix, Is.EqualTo("my-model"));
        Assert.That(copy.FindPrice("gpt-4o").InputPer1KTokens, Is.EqualTo(0.0025m));
        Assert.That(LlmPriceTable.CreateDefault().FindPrice("gpt-4o").InputPer1KTokens, Is.EqualTo(0.0025m));
        Assert.That(LlmPriceTable.CreateDefault().FindPrice("my-model").IsKnown, Is.False);
        Assert.That(custom.Count, Is.EqualTo(copy.Count + 1), "the same prefix and provider replace the entry");
    }

    [Test]
    public void SetPrice_ProviderSpecificEntry_BeatsAnAnyProviderEntryForThatProvider()
    {
        var table = new LlmPriceTable();
        table.SetPrice("shared", 1m, 1m);
        table.SetPrice("shared", 2m, 2m, "acme");

        Assert.That(table.FindPrice("shared", "acme").InputPer1KTokens, Is.EqualTo(2m));
        Assert.That(table.FindPrice("shared", "other").InputPer1KTokens, Is.EqualTo(1m));
        Assert.That(table.FindPrice("shared").InputPer1KTokens, Is.EqualTo(1m), "without a provider the first in table order stays");
    }

    [Test]
    public void SetPrice_RejectsBadInput()
    {
        var table = new LlmPriceTable();

        Assert.Throws<ArgumentException>(() => table.SetPrice(string.Empty, 1m, 1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.SetPrice("m", -1m, 1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.SetPrice("m", 1m, 2_000_000m));
        Assert.Throws<ArgumentException>(() => table.SetPrice("default", 1m, 1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LlmPrice(1m, 1m, LlmPriceMatch.Exact, "m", null).CalculateCost(-1, 0));
    }

    [Test]
    public void FindPrice_RepeatedLookups_SeeAPriceChangedInBetween()
    {
        var table = new LlmPriceTable();
        table.SetPrice("acme-1", 1m, 2m);
        table.SetPrice("acme-2", 3m, 4m);

        LlmPrice first = table.FindPrice("acme-1-large");
        LlmPrice other = table.FindPrice("acme-2");
        LlmPrice again = table.FindPrice("acme-1-large");
        table.SetPrice("acme-1", 5m, 6m);
        LlmPrice changed = table.FindPrice("acme-1-large");
        LlmPrice otherSpelling = table.FindPrice("ACME-1-large");

        Assert.That((first.InputPer1KTokens, other.InputPer1KTokens, again.InputPer1KTokens, changed.InputPer1KTokens), Is.EqualTo((1m, 3m, 1m, 5m)));
        Assert.That(otherSpelling.InputPer1KTokens, Is.EqualTo(5m));
    }
}
