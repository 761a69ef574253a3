namespace Jeeves.Llm;

/// <summary>
/// Holds LLM prices in US dollars per 1,000 input and output tokens, keyed by model-name prefix and optionally by
/// provider, and turns token counts into a cost estimate.
/// </summary>
/// <remarks>
/// <para>
/// Lookup (<see cref="FindPrice"/>), case-insensitive: an entry whose key equals the model; else the entry with the
/// LONGEST key that the model starts with (so <c>gpt-4o-mini-2024-07-18</c> is priced as <c>gpt-4o-mini</c>, not
/// <c>gpt-4</c>; the reference took the first key in table order); else, when a provider is given, that provider's
/// <c>default</c> entry; else the model is unknown and costs 0. A <c>default</c> key is never matched as a prefix.
/// Given a provider, only that provider's entries and entries without a provider are considered, so an unknown provider
/// prices everything at 0; without one, every entry is considered.
/// </para>
/// <para>
/// Each table is its own copy: <see cref="SetPrice"/> changes only the instance it is called on, never the built-in
/// prices or another table (the reference mutated a shared table). Lookups are safe from many threads, also while
/// prices are being set.
/// </para>
/// </remarks>
public sealed class LlmPriceTable
{
    private const string DefaultKey = "default";
    private const decimal MaxPricePer1KTokens = 1_000_000m;

    private readonly Lock _gate = new();
    private volatile Entry[] _entries = [];
    private volatile LastLookup? _last;

    /// <summary>Initializes a new, empty instance of the <see cref="LlmPriceTable"/> class; every model is unknown until priced.</summary>
    public LlmPriceTable()
    {
    }

    private LlmPriceTable(Entry[] entries) => _entries = entries;

    /// <summary>Gets the number of prices in the table.</summary>
    public int Count => _entries.Length;

    /// <summary>Creates a table with the built-in prices.</summary>
    /// <returns>A new table, independent of every other.</returns>
    /// <remarks>
    /// <para>The reference's prices (per 1,000 tokens, input / output): provider <c>openai</c>: <c>gpt-4</c> 0.03 / 0.06,
    /// <c>gpt-4-turbo</c> 0.01 / 0.03, <c>gpt-3.5-turbo</c> 0.0015 / 0.002, <c>default</c> 0.0015 / 0.002; provider
    /// <c>anthropic</c>: <c>claude-3-opus</c> 0.015 / 0.075, <c>claude-3-sonnet</c> 0.003 / 0.015, <c>claude-3-haiku</c>
    /// 0.00025 / 0.00125, <c>default</c> 0.003 / 0.015; providers <c>llamaserver</c> and <c>llamacpp</c>: <c>default</c> 0 / 0.</para>
    /// <para>Added, provider <c>openai</c>, from OpenAI's published list prices: <c>gpt-4o</c> 0.0025 / 0.01,
    /// <c>gpt-4o-mini</c> 0.00015 / 0.0006, <c>gpt-4.1</c> 0.002 / 0.008, <c>gpt-4.1-mini</c> 0.0004 / 0.0016,
    /// <c>gpt-4.1-nano</c> 0.0001 / 0.0004. The o-series reasoning models are left out (their prices changed
    /// more than once); price them with <see cref="SetPrice"/>. Prefix matching prices dated snapshots as their family,
    /// which is wrong for the few snapshots that had their own price (for example <c>gpt-4o-2024-05-13</c>).</para>
    /// </remarks>
    public static LlmPriceTable CreateDefault() => new(s_builtIn);

    private static readonly Entry[] s_builtIn =
    [
        new("llamaserver", DefaultKey, 0m, 0m),
        new("llamacpp", DefaultKey, 0m, 0m),
        new("openai", "gpt-4", 0.03m, 0.06m),
        new("openai", "gpt-4-turbo", 0.01m, 0.03m),
        new("openai", "gpt-3.5-turbo", 0.0015m, 0.002m),
        new("openai", DefaultKey, 0.0015m, 0.002m),
        new("openai", "gpt-4o", 0.0025m, 0.01m),
        new("openai", "gpt-4o-mini", 0.00015m, 0.0006m),
        new("openai", "gpt-4.1", 0.002m, 0.008m),
        new("openai", "gpt-4.1-mini", 0.0004m, 0.0016m),
        new("openai", "gpt-4.1-nano", 0.0001m, 0.0004m),
        new("anthropic", "claude-3-opus", 0.015m, 0.075m),
        new("anthropic", "claude-3-sonnet", 0.003m, 0.015m),
        new("anthropic", "claude-3-haiku", 0.00025m, 0.00125m),
        new("anthropic", DefaultKey, 0.003m, 0.015m),
    ];

    /// <summary>Creates an independent copy of this table.</summary>
    /// <returns>A new table with the same prices.</returns>
    public LlmPriceTable Clone() => new(_entries);

    /// <summary>Sets the price of the models whose names start with <paramref name="modelPrefix"/>, replacing an entry with the same prefix and provider.</summary>
    /// <param name="modelPrefix">The model name or prefix (case-insensitive); <c>default</c> sets the provider's fallback price.</param>
    /// <param name="inputPer1KTokens">US dollars per 1,000 input tokens; 0 to 1,000,000.</param>
    /// <param name="outputPer1KTokens">US dollars per 1,000 output tokens; 0 to 1,000,000.</param>
    /// <param name="provider">The provider the price applies to (case-insensitive), or <see langword="null"/> for any provider.</param>
    /// <exception cref="ArgumentException"><paramref name="modelPrefix"/> is null or empty, or <paramref name="provider"/> is empty; <c>default</c> without a provider.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A price is negative or above 1,000,000.</exception>
    public void SetPrice(string modelPrefix, decimal inputPer1KTokens, decimal outputPer1KTokens, string? provider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPrefix);
        if (provider is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(provider);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(inputPer1KTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputPer1KTokens, MaxPricePer1KTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputPer1KTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outputPer1KTokens, MaxPricePer1KTokens);
        string key = modelPrefix.ToLowerInvariant();
        string? owner = provider?.ToLowerInvariant();
        if (key == DefaultKey && owner is null)
        {
            throw new ArgumentException("A default price needs a provider.", nameof(provider));
        }

        var entry = new Entry(owner, key, inputPer1KTokens, outputPer1KTokens);
        lock (_gate)
        {
            // Copy on write: readers keep the array they took, so they never see a half-made change.
            Entry[] entries = _entries;
            int index = Array.FindIndex(entries, e => e.Key == key && e.Provider == owner);
            Entry[] next = index >= 0 ? [.. entries] : [.. entries, entry];
            if (index >= 0)
            {
                next[index] = entry;
            }

            _entries = next;
        }
    }

    /// <summary>Finds the price of a model.</summary>
    /// <param name="model">The model name, as the provider reports it.</param>
    /// <param name="provider">The provider (for example <c>openai</c>), or <see langword="null"/> to search every provider's prices.</param>
    /// <returns>The price and how it was found; <see cref="LlmPrice.IsKnown"/> is <see langword="false"/> (and both prices 0) when nothing matched.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is <see langword="null"/>.</exception>
    public LlmPrice FindPrice(string model, string? provider = null)
    {
        ArgumentNullException.ThrowIfNull(model);

        // A process mostly prices one or two models: the last answer is kept, for the entries it was found in.
        Entry[] current = _entries;
        if (_last is { } last && ReferenceEquals(last.Entries, current)
            && string.Equals(last.Model, model, StringComparison.Ordinal) && string.Equals(last.Provider, provider, StringComparison.Ordinal))
        {
            return last.Price;
        }

        LlmPrice price = Find(current, model, provider);
        _last = new LastLookup(current, model, provider, price);
        return price;
    }

    private static LlmPrice Find(Entry[] entries, string model, string? provider)
    {
        string name = model.ToLowerInvariant();
        string? owner = string.IsNullOrEmpty(provider) ? null : provider.ToLowerInvariant();
        Entry? best = null;
        bool exact = false;
        foreach (Entry e in entries)
        {
            if (e.Key == DefaultKey || (owner is not null && e.Provider is not null && e.Provider != owner) || !name.StartsWith(e.Key, StringComparison.Ordinal))
            {
                continue;
            }

            bool isExact = e.Key.Length == name.Length;
            if (best is null || Better(e, isExact, best, exact, owner))
            {
                best = e;
                exact = isExact;
            }
        }

        if (best is not null)
        {
            return new LlmPrice(best.InputPer1K, best.OutputPer1K, exact ? LlmPriceMatch.Exact : LlmPriceMatch.Prefix, best.Key, best.Provider);
        }

        if (owner is not null && entries.FirstOrDefault(e => e.Key == DefaultKey && e.Provider == owner) is { } fallback)
        {
            return new LlmPrice(fallback.InputPer1K, fallback.OutputPer1K, LlmPriceMatch.ProviderDefault, DefaultKey, owner);
        }

        return default;
    }

    /// <summary>Estimates the cost of a call.</summary>
    /// <param name="model">The model name.</param>
    /// <param name="inputTokens">The input (prompt) tokens; not negative.</param>
    /// <param name="outputTokens">The output (completion) tokens; not negative.</param>
    /// <param name="provider">The provider, or <see langword="null"/> to search every provider's prices.</param>
    /// <returns>The cost in US dollars, rounded to 6 decimals (half to even); 0 for an unknown model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A token count is negative.</exception>
    public decimal CalculateCost(string model, long inputTokens, long outputTokens, string? provider = null) =>
        FindPrice(model, provider).CalculateCost(inputTokens, outputTokens);

    /// <summary>Decides whether a candidate match beats the best so far: exact first, then the longer key, then a provider-specific entry.</summary>
    private static bool Better(Entry candidate, bool candidateExact, Entry best, bool bestExact, string? owner)
    {
        if (candidateExact != bestExact)
        {
            return candidateExact;
        }

        if (candidate.Key.Length != best.Key.Length)
        {
            return candidate.Key.Length > best.Key.Length;
        }

        // Same key: an entry for the asked provider beats one for any provider; otherwise the first in table order stays.
        return owner is not null && candidate.Provider == owner && best.Provider != owner;
    }

    private sealed record Entry(string? Provider, string Key, decimal InputPer1K, decimal OutputPer1K);

    /// <summary>The last price found, with the entries it was found in (a change replaces the entries, which voids it).</summary>
    private sealed record LastLookup(Entry[] Entries, string Model, string? Provider, LlmPrice Price);
}
