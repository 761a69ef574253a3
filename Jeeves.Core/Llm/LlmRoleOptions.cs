namespace Jeeves.Llm;

/// <summary>
/// Represents the settings of one model role (for example <c>planner</c>) that override the global <see cref="LlmOptions"/>.
/// A <see langword="null"/> property keeps the global value.
/// </summary>
public sealed class LlmRoleOptions
{
    /// <summary>Gets or sets the model of this role.</summary>
    /// <value>The default value is <see langword="null"/>: the global <see cref="LlmOptions.Model"/>.</value>
    public string? Model { get; set; }

    /// <summary>Gets or sets the OpenAI-compatible base URL of this role (for example <c>http://localhost:11434/v1</c>).</summary>
    /// <value>The default value is <see langword="null"/>: the global <see cref="LlmOptions.Endpoint"/>.</value>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the API key of this role.</summary>
    /// <value>The default value is <see langword="null"/>: the global <see cref="LlmOptions.ApiKey"/>.</value>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the sampling temperature this role uses when a call does not set one.</summary>
    /// <value>The default value is <see langword="null"/>: the global <see cref="LlmOptions.Temperature"/>.</value>
    public float? Temperature { get; set; }

    /// <summary>Gets or sets the most output tokens this role asks for when a call does not set a limit.</summary>
    /// <value>The default value is <see langword="null"/>: the global <see cref="LlmOptions.MaxOutputTokens"/>.</value>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Gets or sets the network timeout of this role.</summary>
    /// <value>The default value is <see langword="null"/>: the global <see cref="LlmOptions.Timeout"/>.</value>
    public TimeSpan? Timeout { get; set; }
}
