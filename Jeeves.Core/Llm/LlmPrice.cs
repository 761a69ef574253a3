namespace Jeeves.Llm;

/// <summary>
/// Represents the price of a model found in an <see cref="LlmPriceTable"/>, in US dollars per 1,000 tokens.
/// The default value is an unknown model, priced at 0.
/// </summary>
/// <param name="InputPer1KTokens">US dollars per 1,000 input tokens.</param>
/// <param name="OutputPer1KTokens">US dollars per 1,000 output tokens.</param>
/// <param name="Match">How the price was found.</param>
/// <param name="ModelPrefix">The key of the matched entry (lower-case), or <see langword="null"/> when unknown.</param>
/// <param name="Provider">The provider of the matched entry (lower-case), or <see langword="null"/> for an entry of any provider or an unknown model.</param>
public readonly record struct LlmPrice(decimal InputPer1KTokens, decimal OutputPer1KTokens, LlmPriceMatch Match, string? ModelPrefix, string? Provider)
{
    /// <summary>Gets a value indicating whether a price was found (otherwise the model costs 0).</summary>
    public bool IsKnown => Match != LlmPriceMatch.Unknown;

    /// <summary>Calculates the cost of a call at this price.</summary>
    /// <param name="inputTokens">The input tokens; not negative.</param>
    /// <param name="outputTokens">The output tokens; not negative.</param>
    /// <returns><c>input / 1000 × input price + output / 1000 × output price</c>, rounded to 6 decimals, half to even.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative.</exception>
    public decimal CalculateCost(long inputTokens, long outputTokens) =>
        decimal.Round(UnroundedCost(inputTokens, outputTokens), 6, MidpointRounding.ToEven);

    /// <summary>The cost before rounding; linear in both token counts.</summary>
    internal decimal UnroundedCost(long inputTokens, long outputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        return (inputTokens * InputPer1KTokens / 1000m) + (outputTokens * OutputPer1KTokens / 1000m);
    }
}
