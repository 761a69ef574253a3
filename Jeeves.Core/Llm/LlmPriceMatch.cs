namespace Jeeves.Llm;

/// <summary>Specifies how <see cref="LlmPriceTable.FindPrice"/> found a price.</summary>
public enum LlmPriceMatch
{
    /// <summary>No price matched; the model costs 0.</summary>
    Unknown,

    /// <summary>An entry's key equals the model name.</summary>
    Exact,

    /// <summary>The model name starts with an entry's key (the longest such key).</summary>
    Prefix,

    /// <summary>No key matched, and the provider's <c>default</c> entry applies.</summary>
    ProviderDefault,
}
