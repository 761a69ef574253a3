using System.ClientModel.Primitives;
using System.Globalization;

namespace Jeeves.Llm;

/// <summary>
/// The OpenAI SDK's retry policy with a configurable first delay (the SDK's is fixed at 0.8 s) and waits on a
/// <see cref="TimeProvider"/>. Which failures are retried is left to the SDK's classifier.
/// </summary>
internal sealed class LlmRetryPolicy : ClientRetryPolicy
{
    private readonly TimeSpan _firstDelay;
    private readonly TimeProvider _timeProvider;

    public LlmRetryPolicy(int maxRetries, TimeSpan firstDelay, TimeProvider timeProvider)
        : base(maxRetries)
    {
        _firstDelay = firstDelay;
        _timeProvider = timeProvider;
    }

    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount)
    {
        // Exponential back-off from the configured first delay, unless the server asks for a longer wait.
        double backOff = _firstDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, tryCount - 1));
        TimeSpan delay = TimeSpan.FromMilliseconds(Math.Min(backOff, LlmOptions.MaxRetryDelay.TotalMilliseconds));
        return message.Response is { } response && ServerDelay(response) is { } asked && asked > delay ? asked : delay;
    }

    protected override Task WaitAsync(TimeSpan time, CancellationToken cancellationToken) =>
        Task.Delay(time, _timeProvider, cancellationToken);

    private static TimeSpan? ServerDelay(PipelineResponse response)
    {
        if (response.Headers.TryGetValue("retry-after-ms", out string? ms)
            && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out double milliseconds) && milliseconds >= 0)
        {
            return Cap(TimeSpan.FromMilliseconds(milliseconds));
        }

        if (response.Headers.TryGetValue("Retry-After", out string? after)
            && double.TryParse(after, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0)
        {
            return Cap(TimeSpan.FromSeconds(seconds));
        }

        return null;
    }

    private static TimeSpan Cap(TimeSpan delay) => delay > LlmOptions.MaxRetryDelay ? LlmOptions.MaxRetryDelay : delay;
}
