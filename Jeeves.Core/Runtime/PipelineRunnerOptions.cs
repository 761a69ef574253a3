using Jeeves.Llm;
using Microsoft.Extensions.AI;

namespace Jeeves.Runtime;

/// <summary>How a <see cref="PipelineRunner"/> reaches models and how long it lets things take.</summary>
public sealed class PipelineRunnerOptions
{
    private TimeSpan _agentTimeout = TimeSpan.FromMinutes(5);
    private TimeSpan _toolTimeout = TimeSpan.FromSeconds(60);
    private TimeSpan _interruptRecheckInterval = TimeSpan.FromSeconds(1);
    private int _eventBufferCapacity = 256;

    /// <summary>Gets or sets the chat client LLM agents use when no client is registered for their model role.</summary>
    /// <remarks>The runner wraps it with <see cref="MeteringChatClient"/> (budgets, usage, cost); do not add metering yourself.</remarks>
    public IChatClient? ChatClient { get; set; }

    /// <summary>Gets or sets how a model role maps to its chat client; <see langword="null"/> (or a <see langword="null"/> answer) falls back to <see cref="ChatClient"/>.</summary>
    public Func<string, IChatClient?>? ChatClientForRole { get; set; }

    /// <summary>Gets or sets the price table cost estimates come from; <see langword="null"/> uses the default table.</summary>
    public LlmPriceTable? Prices { get; set; }

    /// <summary>Gets or sets the longest an agent may run when it sets no <see cref="AgentDefinition.Timeout"/>. Default 5 minutes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan AgentTimeout
    {
        get => _agentTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _agentTimeout = value;
        }
    }

    /// <summary>Gets or sets the longest one tool call may take before it fails with <c>error_type</c> <c>timeout</c>. Default 60 seconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan ToolTimeout
    {
        get => _toolTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _toolTimeout = value;
        }
    }

    /// <summary>
    /// Gets or sets how often a paused run re-reads its interrupt while it waits. The run wakes on the kernel's interrupt events;
    /// this only bounds the delay when an event is missed (over TCP a subscription can start just after the event). Default 1 second.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan InterruptRecheckInterval
    {
        get => _interruptRecheckInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _interruptRecheckInterval = value;
        }
    }

    /// <summary>Gets or sets how many events a stream buffers before the run waits for its reader. Default 256.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int EventBufferCapacity
    {
        get => _eventBufferCapacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _eventBufferCapacity = value;
        }
    }
}
