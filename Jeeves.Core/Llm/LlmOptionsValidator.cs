using Microsoft.Extensions.Options;

namespace Jeeves.Llm;

/// <summary>
/// Checks <see cref="LlmOptions"/> when the application starts: every range rule, and, unless the mock is used, that a
/// model is configured, so a missing <c>JEEVES_LLM_MODEL</c> fails at start rather than on the first call.
/// </summary>
internal sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(options.GetValidationErrors());
        if (!options.UseMock && string.IsNullOrWhiteSpace(options.Model))
        {
            errors.Add($"No LLM model configured. Set {LlmOptions.ModelVariable} env var or {nameof(LlmOptions)}.{nameof(LlmOptions.Model)}, or enable the mock with {LlmOptions.MockVariable}=true.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
