using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Models;

namespace Jeeves.Llm;

/// <summary>
/// Creates <see cref="IChatClient"/>s for OpenAI or any OpenAI-compatible server (vLLM, Ollama, llama-server, a LiteLLM
/// proxy) through the official OpenAI SDK, or the <see cref="MockChatClient"/> when <see cref="LlmOptions.UseMock"/> is set.
/// </summary>
/// <remarks>
/// The clients do no metering; wrap them in a <see cref="MeteringChatClient"/> (the runtime does so with whatever client
/// it resolves).
/// </remarks>
public static class OpenAIChatClientFactory
{
    /// <summary>The API key sent when none is configured; local servers ignore it, and the SDK requires one.</summary>
    public const string PlaceholderApiKey = "no-key";

    private static readonly TimeSpan s_healthTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Creates a chat client from the effective settings of a role.</summary>
    /// <param name="options">The settings; they are validated, and copied, so later changes have no effect on the client.</param>
    /// <param name="role">The model role whose overrides apply (see <see cref="LlmOptions.Roles"/>), or <see langword="null"/> for the global settings.</param>
    /// <param name="timeProvider">The clock that retry waits (and the mock's scripted delays) run on; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <returns>
    /// A new <see cref="MockChatClient"/> when <see cref="LlmOptions.UseMock"/> is set; otherwise the SDK's
    /// <c>OpenAI.Chat.ChatClient</c> adapted with <c>AsIChatClient()</c>, sending <see cref="LlmOptions.Model"/> to
    /// <see cref="LlmOptions.Endpoint"/>, with <see cref="LlmOptions.Timeout"/> per network operation and
    /// <see cref="LlmOptions.MaxRetries"/> retries, and filling in <see cref="LlmOptions.Temperature"/> and
    /// <see cref="LlmOptions.MaxOutputTokens"/> when a call leaves them unset. Its <see cref="ChatClientMetadata"/>
    /// reports provider <c>openai</c> and the model.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.InvalidArgument"/>: a setting is invalid, or no model is configured for a real client.</exception>
    public static IChatClient Create(LlmOptions options, string? role = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        timeProvider ??= TimeProvider.System;
        LlmOptions effective = Resolve(options, role);
        if (effective.UseMock)
        {
            return new MockChatClient(timeProvider);
        }

        string model = RequireModel(effective, role);
        var client = new OpenAI.Chat.ChatClient(model, Credential(effective), ClientOptions(effective, effective.MaxRetries, effective.Timeout, timeProvider));
        IChatClient chat = client.AsIChatClient();
        if (effective.Temperature is null && effective.MaxOutputTokens is null)
        {
            return chat;
        }

        float? temperature = effective.Temperature;
        int? maxOutputTokens = effective.MaxOutputTokens;
        return new ChatClientBuilder(chat)
            .ConfigureOptions(o =>
            {
                o.Temperature ??= temperature;
                o.MaxOutputTokens ??= maxOutputTokens;
            })
            .Build();
    }

    /// <summary>Checks that the server of a role answers: sends <c>GET {endpoint}/models</c> once, without retries.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="role">The model role, or <see langword="null"/> for the global settings.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>
    /// <see langword="true"/> when the server answers 200 (always, for the mock); <see langword="false"/> for any other
    /// status, a transport error, or no answer within the timeout (the smaller of <see cref="LlmOptions.Timeout"/> and 10 seconds).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.InvalidArgument"/>: a setting is invalid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<bool> CheckHealthAsync(LlmOptions options, string? role = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        LlmOptions effective = Resolve(options, role);
        if (effective.UseMock)
        {
            return true;
        }

        TimeSpan timeout = effective.Timeout < s_healthTimeout ? effective.Timeout : s_healthTimeout;
        var client = new OpenAIModelClient(Credential(effective), ClientOptions(effective, maxRetries: 0, timeout, TimeProvider.System));
        try
        {
            ClientResult<OpenAIModelCollection> result = await client.GetModelsAsync(cancellationToken);
            return result.GetRawResponse().Status == 200;
        }
        catch (ClientResultException)
        {
            return false;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The network timeout, not the caller, ended the request.
            return false;
        }
    }

    private static LlmOptions Resolve(LlmOptions options, string? role)
    {
        options.Validate();
        return options.ForRole(role);
    }

    private static string RequireModel(LlmOptions effective, string? role)
    {
        if (!string.IsNullOrWhiteSpace(effective.Model))
        {
            return effective.Model;
        }

        string roleHint = role is null
            ? string.Empty
            : $" For role '{role}', {LlmOptions.RoleVariablePrefix(role)}_MODEL or LlmOptions.Roles[\"{role}\"].Model also work.";
        throw new KernelException(
            KernelErrorCode.InvalidArgument,
            $"No LLM model configured. Set {LlmOptions.ModelVariable} env var or {nameof(LlmOptions)}.{nameof(LlmOptions.Model)}, or enable the mock with {LlmOptions.MockVariable}=true.{roleHint}");
    }

    private static ApiKeyCredential Credential(LlmOptions effective) =>
        new(string.IsNullOrEmpty(effective.ApiKey) ? PlaceholderApiKey : effective.ApiKey);

    private static OpenAIClientOptions ClientOptions(LlmOptions effective, int maxRetries, TimeSpan timeout, TimeProvider timeProvider)
    {
        var clientOptions = new OpenAIClientOptions
        {
            NetworkTimeout = timeout,
            RetryPolicy = new LlmRetryPolicy(maxRetries, effective.RetryDelay, timeProvider),
        };
        if (effective.Endpoint is not null)
        {
            clientOptions.Endpoint = effective.Endpoint;
        }

        return clientOptions;
    }
}
