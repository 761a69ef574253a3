using FsCheck;
using FsCheck.Fluent;
using Jeeves.Llm;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Llm;

/// <summary>The cost invariants of spec/runtime.md §12 (15), plus longest-prefix lookup.</summary>
public sealed class LlmPriceTableProperties
{
    private static readonly LlmPriceTable s_table = LlmPriceTable.CreateDefault();

    /// <summary>Cost is non-negative, rounded to at most six decimals, and the rounding of a cost linear in the token counts.</summary>
    [Property(Arbitrary = new[] { typeof(LlmArbitraries) }, MaxTest = 1_000)]
    public Property CalculateCost_IsNonNegative_Rounded_AndLinearBeforeRounding(ModelName model, NonNegativeInt a, NonNegativeInt b, NonNegativeInt c, NonNegativeInt d)
    {
        LlmPrice price = s_table.FindPrice(model.Value);
        decimal cost = s_table.CalculateCost(model.Value, a.Get, b.Get);
        decimal whole = price.UnroundedCost((long)a.Get + c.Get, (long)b.Get + d.Get);
        decimal parts = price.UnroundedCost(a.Get, b.Get) + price.UnroundedCost(c.Get, d.Get);
        return (cost >= 0).Label("non-negative")
            .And((cost.Scale <= 6).Label("at most six decimals"))
            .And((cost == decimal.Round(price.UnroundedCost(a.Get, b.Get), 6, MidpointRounding.ToEven)).Label("the rounded linear cost"))
            .And((whole == parts).Label("linear before rounding"))
            .And((price.UnroundedCost(0, 0) == 0).Label("zero tokens cost nothing"));
    }

    /// <summary>An unknown provider prices every model at zero.</summary>
    [Property(Arbitrary = new[] { typeof(LlmArbitraries) }, MaxTest = 500)]
    public bool CalculateCost_UnknownProvider_IsZero(ModelName model, NonNegativeInt input, NonNegativeInt output) =>
        s_table.CalculateCost(model.Value, input.Get, output.Get, provider: "no-such-provider") == 0
        && !s_table.FindPrice(model.Value, "no-such-provider").IsKnown;

    /// <summary>Exact-match pricing is what FindPrice reports for that key, and the cost uses it.</summary>
    [Property(MaxTest = 200)]
    public Property CalculateCost_ExactKey_UsesFindPrice(NonNegativeInt input, NonNegativeInt output) =>
        Prop.ForAll(Arb.From(Gen.Elements(LlmArbitraries.PriceKeys)), key =>
        {
            LlmPrice price = s_table.FindPrice(key);
            return price.Match == LlmPriceMatch.Exact
                && price.ModelPrefix == key
                && s_table.CalculateCost(key, input.Get, output.Get) == price.CalculateCost(input.Get, output.Get)
                && s_table.FindPrice(key, "openai").InputPer1KTokens == (key.StartsWith("claude", StringComparison.Ordinal) ? 0.0015m : price.InputPer1KTokens);
        });

    /// <summary>The matched key is the longest key that prefixes the model name (case-insensitive); <c>default</c> never matches by prefix.</summary>
    [Property(Arbitrary = new[] { typeof(LlmArbitraries) }, MaxTest = 1_000)]
    public bool FindPrice_MatchesTheLongestPrefix(ModelName model)
    {
        string lower = model.Value.ToLowerInvariant();
        string? expected = LlmArbitraries.PriceKeys.Where(k => lower.StartsWith(k, StringComparison.Ordinal)).MaxBy(k => k.Length);
        LlmPrice price = s_table.FindPrice(model.Value);
        return price.ModelPrefix == expected && price.IsKnown == (expected is not null);
    }

    /// <summary>Custom prices never leak into another table.</summary>
    [Property(Arbitrary = new[] { typeof(LlmArbitraries) }, MaxTest = 200)]
    public bool SetPrice_NeverChangesAnotherTable(ModelName model, PositiveInt price)
    {
        LlmPriceTable mine = LlmPriceTable.CreateDefault();
        LlmPrice before = LlmPriceTable.CreateDefault().FindPrice(model.Value);
        string key = model.Value == "default" ? "default-x" : model.Value;
        mine.SetPrice(key, price.Get % 1000, price.Get % 1000);
        return LlmPriceTable.CreateDefault().FindPrice(model.Value) == before
            && s_table.FindPrice(model.Value) == before
            && mine.FindPrice(key).Match == LlmPriceMatch.Exact;
    }
}
