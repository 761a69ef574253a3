using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jeeves.Llm;

/// <summary>Adds a <see cref="MeteringChatClient"/> to a chat client pipeline.</summary>
public static class MeteringChatClientBuilderExtensions
{
    /// <summary>The logger category of the metering layer.</summary>
    internal const string LoggerCategory = "Jeeves.Llm";

    /// <summary>Adds a <see cref="MeteringChatClient"/> to the pipeline.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="kernel">The kernel to charge; <see langword="null"/> to resolve the <see cref="IKernelClient"/> from the builder's services.</param>
    /// <param name="priceTable">The prices; <see langword="null"/> for a registered <see cref="LlmPriceTable"/>, else the built-in prices.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Add it after <c>UseFunctionInvocation()</c>, so each model round trip is metered, and after any rate limiter, so a
    /// refused call is not counted.
    /// </remarks>
    public static ChatClientBuilder UseMetering(this ChatClientBuilder builder, IKernelClient? kernel = null, LlmPriceTable? priceTable = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new MeteringChatClient(
            inner,
            kernel ?? services.GetRequiredService<IKernelClient>(),
            priceTable ?? services.GetService<LlmPriceTable>(),
            services.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory)));
    }
}
