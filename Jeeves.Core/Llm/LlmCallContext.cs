using Microsoft.Extensions.AI;

namespace Jeeves.Llm;

/// <summary>
/// Represents who makes an LLM call and within which budget, carried in
/// <see cref="ChatOptions.AdditionalProperties"/> under <see cref="PropertyName"/>; a <see cref="MeteringChatClient"/>
/// checks its limits before each call and adds each call's usage to it.
/// </summary>
/// <remarks>
/// <para>
/// One context usually covers one agent run, which may make several calls. The limits are what remains of the
/// process's budget when the context is created; the accumulators count the calls made through this context only.
/// </para>
/// <para>
/// The accumulators are safe to read and update from many threads. A call is counted when it is admitted (so it counts
/// while in flight, and still counts if it fails); its tokens and cost are added when it completes.
/// </para>
/// </remarks>
public sealed class LlmCallContext
{
    /// <summary>The key of the context in <see cref="ChatOptions.AdditionalProperties"/>.</summary>
    public const string PropertyName = "jeeves.llm_call";

    private readonly Lock _lock = new();
    private int _llmCalls;
    private long _inputTokens;
    private long _outputTokens;
    private decimal _costUsd;
    private int _estimatedCalls;
    private int _unpricedCalls;

    /// <summary>Initializes a new instance of the <see cref="LlmCallContext"/> class.</summary>
    /// <param name="processId">The kernel process the calls belong to.</param>
    /// <param name="agentName">The agent making the calls.</param>
    /// <exception cref="KernelException"><paramref name="processId"/> is empty, or <paramref name="agentName"/> is null or empty (<see cref="KernelErrorCode.InvalidArgument"/>).</exception>
    public LlmCallContext(ProcessId processId, string agentName)
    {
        if (processId.IsEmpty)
        {
            throw KernelErrors.Validation($"{nameof(LlmCallContext)}.{nameof(ProcessId)} cannot be empty");
        }

        if (string.IsNullOrEmpty(agentName))
        {
            throw KernelErrors.Validation($"{nameof(LlmCallContext)}.{nameof(AgentName)} cannot be empty");
        }

        ProcessId = processId;
        AgentName = agentName;
    }

    /// <summary>Gets the kernel process the calls belong to.</summary>
    public ProcessId ProcessId { get; }

    /// <summary>Gets the agent making the calls.</summary>
    public string AgentName { get; }

    /// <summary>Gets the model role the agent asked for, if any.</summary>
    public string? ModelRole { get; init; }

    /// <summary>Gets how many calls may still be made through this context; <see langword="null"/> for no limit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int? RemainingLlmCalls
    {
        get;
        init => field = value is < 0 ? throw new ArgumentOutOfRangeException(nameof(value), value, "A remaining budget cannot be negative.") : value;
    }

    /// <summary>Gets how many input tokens may still be used; a call is refused once <see cref="InputTokens"/> reaches it. <see langword="null"/> for no limit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long? RemainingInputTokens
    {
        get;
        init => field = value is < 0 ? throw new ArgumentOutOfRangeException(nameof(value), value, "A remaining budget cannot be negative.") : value;
    }

    /// <summary>Gets how many output tokens may still be used; a call is refused once <see cref="OutputTokens"/> reaches it. <see langword="null"/> for no limit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long? RemainingOutputTokens
    {
        get;
        init => field = value is < 0 ? throw new ArgumentOutOfRangeException(nameof(value), value, "A remaining budget cannot be negative.") : value;
    }

    /// <summary>
    /// Gets a value indicating whether the <see cref="MeteringChatClient"/> also charges each call to the kernel
    /// (<see cref="IKernelService.RecordUsageAsync"/>).
    /// </summary>
    /// <value>
    /// The default value is <see langword="false"/>: the runtime reports the usage with the agent's result, so the kernel
    /// charges it once (one accounting path). Set it when calling the model outside the runtime.
    /// </value>
    public bool ChargeKernel { get; init; }

    /// <summary>Gets the calls made so far, in flight and failed ones included.</summary>
    public int LlmCalls
    {
        get
        {
            lock (_lock)
            {
                return _llmCalls;
            }
        }
    }

    /// <summary>Gets the input tokens used so far.</summary>
    public long InputTokens
    {
        get
        {
            lock (_lock)
            {
                return _inputTokens;
            }
        }
    }

    /// <summary>Gets the output tokens used so far.</summary>
    public long OutputTokens
    {
        get
        {
            lock (_lock)
            {
                return _outputTokens;
            }
        }
    }

    /// <summary>Gets the estimated cost so far, in US dollars; calls to models without a known price add nothing.</summary>
    public decimal CostUsd
    {
        get
        {
            lock (_lock)
            {
                return _costUsd;
            }
        }
    }

    /// <summary>Gets how many completed calls had their tokens estimated (four characters a token) because the provider reported no usage.</summary>
    public int EstimatedCalls
    {
        get
        {
            lock (_lock)
            {
                return _estimatedCalls;
            }
        }
    }

    /// <summary>Gets how many completed calls used a model without a known price, so added no cost.</summary>
    public int UnpricedCalls
    {
        get
        {
            lock (_lock)
            {
                return _unpricedCalls;
            }
        }
    }

    /// <summary>Gets the context carried by chat options.</summary>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <returns>The context under <see cref="PropertyName"/> (or attached by the runtime), or <see langword="null"/> when there is none.</returns>
    public static LlmCallContext? FromOptions(ChatOptions? options) =>
        options is MeteredChatOptions metered ? metered.Meter
        : options?.AdditionalProperties is { } properties
        && properties.TryGetValue(PropertyName, out object? value)
        && value is LlmCallContext context ? context : null;

    /// <summary>Stores this context in chat options, replacing any other one.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The same <paramref name="options"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public ChatOptions AttachTo(ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[PropertyName] = this;
        return options;
    }

    /// <summary>Admits one more call, or names the limit that refuses it.</summary>
    /// <returns><see cref="QuotaViolation.None"/> when the call was admitted and counted.</returns>
    internal QuotaViolation TryBeginCall()
    {
        lock (_lock)
        {
            if (RemainingLlmCalls is { } calls && _llmCalls + 1 > calls)
            {
                return QuotaViolation.LlmCalls;
            }

            if (RemainingInputTokens is { } input && _inputTokens >= input)
            {
                return QuotaViolation.TokensIn;
            }

            if (RemainingOutputTokens is { } output && _outputTokens >= output)
            {
                return QuotaViolation.TokensOut;
            }

            _llmCalls++;
            return QuotaViolation.None;
        }
    }

    /// <summary>Adds the usage of a completed call that <see cref="TryBeginCall"/> admitted.</summary>
    internal void AddUsage(long inputTokens, long outputTokens, decimal costUsd, bool estimated, bool priced)
    {
        lock (_lock)
        {
            _inputTokens += inputTokens;
            _outputTokens += outputTokens;
            _costUsd += costUsd;
            _estimatedCalls += estimated ? 1 : 0;
            _unpricedCalls += priced ? 0 : 1;
        }
    }

    /// <summary>Gets the limit value and the amount used for a violation, for messages.</summary>
    internal (long Limit, long Used) Describe(QuotaViolation violation)
    {
        lock (_lock)
        {
            return violation switch
            {
                QuotaViolation.LlmCalls => (RemainingLlmCalls ?? 0, _llmCalls),
                QuotaViolation.TokensIn => (RemainingInputTokens ?? 0, _inputTokens),
                QuotaViolation.TokensOut => (RemainingOutputTokens ?? 0, _outputTokens),
                _ => (0, 0),
            };
        }
    }
}
