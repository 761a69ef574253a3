using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jeeves.Llm;

/// <summary>
/// Represents a chat client layer that enforces and records the LLM budget of the calls carrying an
/// <see cref="LlmCallContext"/>: it refuses a call that would exceed the context's limits before sending it, and adds
/// each call's usage and estimated cost to the context (and, when asked, to the kernel).
/// </summary>
/// <remarks>
/// <para>For a call whose <see cref="ChatOptions"/> carry a context, in both the plain and the streaming path:</para>
/// <list type="number">
/// <item><description>Before the inner client is called, the call is refused with <see cref="LlmBudgetExceededException"/>
/// when one more call would exceed <see cref="LlmCallContext.RemainingLlmCalls"/>, or when the tokens already used reach
/// <see cref="LlmCallContext.RemainingInputTokens"/> or <see cref="LlmCallContext.RemainingOutputTokens"/>. Otherwise the
/// call is counted at once, so it also counts if it fails (reference §3.3 step 6).</description></item>
/// <item><description>When the call completes, its tokens are added: the provider's <see cref="ChatResponse.Usage"/> (or the
/// <see cref="UsageContent"/> of a stream), else an estimate of a quarter of the characters, rounded up, of the message
/// text (input) and of the reply (output), marked in <see cref="LlmCallContext.EstimatedCalls"/>. A failed call adds no
/// tokens. A stream the caller stops reading early adds the estimate of what it had received.</description></item>
/// <item><description>The cost comes from the <see cref="LlmPriceTable"/>, for the response's model id, else the inner client's
/// <see cref="ChatClientMetadata.DefaultModelId"/>, looked up by model only (an OpenAI-compatible local server reports
/// provider <c>openai</c>, whose fallback price would be wrong for it). An unknown model costs 0 and is counted in
/// <see cref="LlmCallContext.UnpricedCalls"/>.</description></item>
/// <item><description>When <see cref="LlmCallContext.ChargeKernel"/> is set, the call is also charged to the process with
/// <see cref="IKernelService.RecordUsageAsync"/>: one call and its tokens, or one call and no tokens when it failed.</description></item>
/// </list>
/// <para>
/// A call without a context passes straight through. Streamed updates are yielded as they arrive, never buffered.
/// The layer is thread-safe; the context's counters are updated atomically, so concurrent calls sharing a context never
/// admit more calls than <see cref="LlmCallContext.RemainingLlmCalls"/>.
/// </para>
/// </remarks>
public sealed class MeteringChatClient : DelegatingChatClient
{
    private readonly IKernelClient _kernel;
    private readonly LlmPriceTable _prices;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="MeteringChatClient"/> class.</summary>
    /// <param name="innerClient">The client that sends the calls.</param>
    /// <param name="kernel">The kernel to charge when a context asks for it.</param>
    /// <param name="priceTable">The prices; <see langword="null"/> for <see cref="LlmPriceTable.CreateDefault"/>.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="kernel"/> is <see langword="null"/>.</exception>
    public MeteringChatClient(IChatClient innerClient, IKernelClient kernel, LlmPriceTable? priceTable = null, ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        _kernel = kernel;
        _prices = priceTable ?? LlmPriceTable.CreateDefault();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    /// <exception cref="LlmBudgetExceededException">The call would exceed the budget of its <see cref="LlmCallContext"/>; nothing was sent.</exception>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        LlmCallContext? context = LlmCallContext.FromOptions(options);
        if (context is null)
        {
            return base.GetResponseAsync(messages, options, cancellationToken);
        }

        IList<ChatMessage> sent;
        Task<ChatResponse> call;
        try
        {
            Admit(context);
            sent = messages as IList<ChatMessage> ?? [.. messages];
            call = base.GetResponseAsync(sent, options, cancellationToken);
        }
        catch (LlmBudgetExceededException ex)
        {
            return Task.FromException<ChatResponse>(ex);
        }
#pragma warning disable CA1031 // Not swallowed: a client that throws instead of returning a faulted task is metered as failed, and its exception rethrown from the returned task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return MeterAsync(context, messages as IList<ChatMessage> ?? [], Task.FromException<ChatResponse>(ex), cancellationToken);
        }

        if (call.IsCompletedSuccessfully && !context.ChargeKernel)
        {
            // A model that answered at once (a mock, a cache): meter now and hand back the model's own task.
#pragma warning disable RS0030 // The task has completed successfully: reading its result does not block.
            _ = Record(context, sent, call.Result);
#pragma warning restore RS0030
            return call;
        }

        return MeterAsync(context, sent, call, cancellationToken);
    }

    private async Task<ChatResponse> MeterAsync(LlmCallContext context, IList<ChatMessage> sent, Task<ChatResponse> call, CancellationToken cancellationToken)
    {
        ChatResponse response;
        try
        {
            response = await call;
        }
        catch (Exception ex)
        {
            await FailAsync(context, ex);
            throw;
        }

        (long inputTokens, long outputTokens) = Record(context, sent, response);
        await ChargeAsync(context, inputTokens, outputTokens, cancellationToken);
        return response;
    }

    /// <summary>Meters a whole response; its output is counted only when the model reported no output tokens.</summary>
    private (long InputTokens, long OutputTokens) Record(LlmCallContext context, IList<ChatMessage> sent, ChatResponse response) =>
        Record(context, sent, response.Usage, response.Usage?.OutputTokenCount is null ? OutputChars(response.Messages) : 0, response.ModelId);

    private static long OutputChars(IList<ChatMessage> messages)
    {
        long chars = 0;
        foreach (ChatMessage message in messages)
        {
            foreach (AIContent content in message.Contents)
            {
                chars += ContentChars(content);
            }
        }

        return chars;
    }

    /// <inheritdoc/>
    /// <exception cref="LlmBudgetExceededException">The call would exceed the budget of its <see cref="LlmCallContext"/>; nothing was sent. Thrown when enumeration starts.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        LlmCallContext? context = LlmCallContext.FromOptions(options);
        return context is null
            ? base.GetStreamingResponseAsync(messages, options, cancellationToken)
            : MeterStreamingAsync(messages, options, context, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> MeterStreamingAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, LlmCallContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Admit(context);
        IList<ChatMessage> sent = messages as IList<ChatMessage> ?? [.. messages];
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(sent, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex)
        {
            await FailAsync(context, ex);
            throw;
        }

        UsageDetails? usage = null;
        long outputChars = 0;
        string? modelId = null;
        bool completed = false;
        bool failed = false;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        completed = true;
                        break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex)
                {
                    failed = true;
                    await FailAsync(context, ex);
                    throw;
                }

                foreach (AIContent content in update.Contents)
                {
                    if (content is UsageContent reported)
                    {
                        usage ??= new UsageDetails();
                        usage.Add(reported.Details);
                    }
                    else
                    {
                        outputChars += ContentChars(content);
                    }
                }

                modelId ??= update.ModelId;
                yield return update;
            }
        }
        finally
        {
            await updates.DisposeAsync();
            if (!failed)
            {
                // A stream abandoned by its reader is still charged, with what it had received.
                (long inputTokens, long outputTokens) = Record(context, sent, completed ? usage : null, outputChars, modelId);
                await ChargeAsync(context, inputTokens, outputTokens, completed ? cancellationToken : CancellationToken.None);
            }
        }
    }

    private void Admit(LlmCallContext context)
    {
        QuotaViolation violation = context.TryBeginCall();
        if (violation == QuotaViolation.None)
        {
            return;
        }

        (long limit, long used) = context.Describe(violation);
        _logger.LlmCallRefused(context.AgentName, context.ProcessId, violation, limit, used);
        throw new LlmBudgetExceededException(violation, context.ProcessId, context.AgentName, limit, used);
    }

    /// <summary>Adds a call's usage and estimated cost to its context (estimating tokens the model did not report) and logs it.</summary>
    private (long InputTokens, long OutputTokens) Record(LlmCallContext context, IList<ChatMessage> sent, UsageDetails? usage, long outputChars, string? modelId)
    {
        long? reportedIn = usage?.InputTokenCount;
        long? reportedOut = usage?.OutputTokenCount;
        bool estimated = reportedIn is null || reportedOut is null;
        long inputTokens = reportedIn ?? CeilQuarter(sent.Sum(m => (long)m.Text.Length));
        long outputTokens = reportedOut ?? CeilQuarter(outputChars);
        string? model = modelId ?? InnerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
        LlmPrice price = model is null ? default : _prices.FindPrice(model);
        decimal cost = price.CalculateCost(inputTokens, outputTokens);
        context.AddUsage(inputTokens, outputTokens, cost, estimated, price.IsKnown);
        _logger.LlmCallMetered(context.AgentName, context.ProcessId, model, inputTokens, outputTokens, estimated, cost, price.IsKnown);
        return (inputTokens, outputTokens);
    }

    /// <summary>Charges a metered call to the kernel process, when the context asks for it.</summary>
    private async Task ChargeAsync(LlmCallContext context, long inputTokens, long outputTokens, CancellationToken cancellationToken)
    {
        if (context.ChargeKernel)
        {
            _ = await _kernel.Kernel.RecordUsageAsync(
                context.ProcessId,
                new UsageDelta { LlmCalls = 1, TokensIn = inputTokens, TokensOut = outputTokens },
                cancellationToken);
        }
    }

    private async Task FailAsync(LlmCallContext context, Exception failure)
    {
        _logger.LlmCallFailed(context.AgentName, context.ProcessId, failure);
        if (!context.ChargeKernel)
        {
            return;
        }

        try
        {
            // The call's own token may be what failed it; the charge must still land.
            _ = await _kernel.Kernel.RecordUsageAsync(context.ProcessId, new UsageDelta { LlmCalls = 1 }, CancellationToken.None);
        }
#pragma warning disable CA1031 // The call's own failure is rethrown by the caller; a failed charge is logged, not allowed to hide it.
        catch (Exception chargeFailure)
#pragma warning restore CA1031
        {
            _logger.KernelChargeFailed(context.AgentName, context.ProcessId, chargeFailure);
        }
    }

    private static long ContentChars(AIContent content) => content switch
    {
        TextContent text => text.Text.Length,
        TextReasoningContent reasoning => reasoning.Text.Length,
        FunctionCallContent call => call.Name.Length + (call.Arguments is null ? 0
            : JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))).Length),
        _ => 0,
    };

    private static long CeilQuarter(long chars) => (chars + 3) / 4;
}
