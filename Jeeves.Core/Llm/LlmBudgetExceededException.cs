namespace Jeeves.Llm;

/// <summary>
/// Represents an LLM call refused before it was sent, because it would exceed the budget of its <see cref="LlmCallContext"/>.
/// </summary>
/// <remarks>The code is <see cref="KernelErrorCode.ResourceExhausted"/>; the message starts with <c>quota exceeded: </c>, as the kernel's quota errors do.</remarks>
public sealed class LlmBudgetExceededException : KernelException
{
    /// <summary>Initializes a new instance of the <see cref="LlmBudgetExceededException"/> class.</summary>
    public LlmBudgetExceededException()
        : this("quota exceeded: LLM budget exhausted")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlmBudgetExceededException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    public LlmBudgetExceededException(string message)
        : base(KernelErrorCode.ResourceExhausted, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlmBudgetExceededException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public LlmBudgetExceededException(string message, Exception? innerException)
        : base(KernelErrorCode.ResourceExhausted, message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LlmBudgetExceededException"/> class for a refused call.</summary>
    /// <param name="violation">The limit that refused the call: <see cref="QuotaViolation.LlmCalls"/>, <see cref="QuotaViolation.TokensIn"/> or <see cref="QuotaViolation.TokensOut"/>.</param>
    /// <param name="processId">The process the call belonged to.</param>
    /// <param name="agentName">The agent that made the call.</param>
    /// <param name="limit">The limit's value.</param>
    /// <param name="used">What the context had used when the call was refused.</param>
    public LlmBudgetExceededException(QuotaViolation violation, ProcessId processId, string agentName, long limit, long used)
        : base(KernelErrorCode.ResourceExhausted, Describe(violation, processId, agentName, limit, used))
    {
        Violation = violation;
        ProcessId = processId;
        AgentName = agentName;
        Limit = limit;
        Used = used;
    }

    /// <summary>Gets the limit that refused the call: <see cref="QuotaViolation.LlmCalls"/>, <see cref="QuotaViolation.TokensIn"/> or <see cref="QuotaViolation.TokensOut"/>.</summary>
    public QuotaViolation Violation { get; }

    /// <summary>Gets the process the call belonged to.</summary>
    public ProcessId ProcessId { get; }

    /// <summary>Gets the agent that made the call, or <see langword="null"/> when unknown.</summary>
    public string? AgentName { get; }

    /// <summary>Gets the value of the limit that refused the call.</summary>
    public long Limit { get; }

    /// <summary>Gets what the context had used of that limit when the call was refused.</summary>
    public long Used { get; }

    private static string Describe(QuotaViolation violation, ProcessId processId, string agentName, long limit, long used)
    {
        string what = violation switch
        {
            QuotaViolation.LlmCalls => "llm_calls",
            QuotaViolation.TokensIn => "tokens_in",
            QuotaViolation.TokensOut => "tokens_out",
            _ => violation.ToString(),
        };
        return FormattableString.Invariant(
            $"quota exceeded: LLM call by agent '{agentName}' of process {processId} refused: {what} budget {limit} exhausted ({used} used)");
    }
}
