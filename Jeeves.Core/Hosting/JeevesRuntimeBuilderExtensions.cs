using System.Diagnostics.CodeAnalysis;
using Jeeves;
using Jeeves.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers capabilities and the <see cref="PipelineRunner"/> that runs their pipelines.</summary>
public static partial class JeevesRuntimeBuilderExtensions
{
    /// <summary>Adds a capability; it is built and checked when the host starts (an error names every problem).</summary>
    /// <typeparam name="TCapability">The capability, with a public parameterless constructor.</typeparam>
    /// <param name="builder">The kernel builder.</param>
    /// <returns>The builder.</returns>
    public static JeevesKernelBuilder AddCapability<TCapability>(this JeevesKernelBuilder builder)
        where TCapability : ICapability, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCapability(new TCapability());
    }

    /// <summary>Adds a capability; it is built and checked when the host starts.</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="capability">The capability.</param>
    /// <returns>The builder.</returns>
    public static JeevesKernelBuilder AddCapability(this JeevesKernelBuilder builder, ICapability capability)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(capability);
        _ = builder.Services.AddSingleton(_ => CapabilityDefinition.From(capability));
        return builder.AddRuntime();
    }

    /// <summary>Adds a capability declared inline; it is built and checked when the host starts.</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="id">The capability's id.</param>
    /// <param name="register">Declares its agents, prompts, tools and pipelines.</param>
    /// <returns>The builder.</returns>
    public static JeevesKernelBuilder AddCapability(this JeevesKernelBuilder builder, string id, Action<CapabilityBuilder> register)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(register);
        _ = builder.Services.AddSingleton(_ =>
        {
            var capability = new CapabilityBuilder(id);
            register(capability);
            return capability.Build();
        });
        return builder.AddRuntime();
    }

    /// <summary>
    /// Adds the capabilities named by <c>JEEVES_CAPABILITIES</c> (see <see cref="CapabilityDiscovery"/>). An unqualified
    /// entry, or nothing loaded, fails at once; entries that fail to load are logged as warnings when the host starts.
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="value">The list to use instead of the environment variable, or <see langword="null"/> to read it.</param>
    /// <returns>The builder.</returns>
    [RequiresUnreferencedCode("Loads capability types and assemblies by name.")]
    [RequiresDynamicCode("Creates capability instances by reflection.")]
    public static JeevesKernelBuilder AddCapabilitiesFromEnvironment(this JeevesKernelBuilder builder, string? value = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        CapabilityDiscoveryResult found = CapabilityDiscovery.Load(value ?? Environment.GetEnvironmentVariable(CapabilityDiscovery.EnvironmentVariable));
        foreach (ICapability capability in found.Capabilities)
        {
            _ = builder.AddCapability(capability);
        }

        _ = builder.Services.AddSingleton(found);
        return builder;
    }

    /// <summary>
    /// Registers the <see cref="CapabilityRegistry"/> and a <see cref="PipelineRunner"/> over the registered
    /// <see cref="IKernelClient"/> (in-process or TCP), using the registered <see cref="IChatClient"/> (and keyed ones per model
    /// role). Called by every <c>AddCapability</c>; safe to call more than once.
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="configure">Adjusts the runner's options (timeouts, prices).</param>
    /// <returns>The builder.</returns>
    public static JeevesKernelBuilder AddRuntime(this JeevesKernelBuilder builder, Action<PipelineRunnerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (configure is not null)
        {
            _ = services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new CapabilityRegistry(sp.GetServices<CapabilityDefinition>()));
        services.TryAddSingleton(static sp =>
        {
            PipelineRunnerOptions options = sp.GetRequiredService<IOptions<PipelineRunnerOptions>>().Value;
            options.ChatClient ??= sp.GetService<IChatClient>();
            options.ChatClientForRole ??= role => sp.GetKeyedService<IChatClient>(role);
            return new PipelineRunner(
                sp.GetRequiredService<IKernelClient>(),
                sp.GetRequiredService<CapabilityRegistry>(),
                options,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILoggerFactory>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CapabilityStartupCheck>());
        return builder;
    }

    /// <summary>Builds and checks every capability when the host starts, so a bad declaration stops the host, not the first request.</summary>
    private sealed partial class CapabilityStartupCheck(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            CapabilityRegistry registry = services.GetRequiredService<CapabilityRegistry>();
            ILogger? logger = services.GetService<ILoggerFactory>()?.CreateLogger("Jeeves.Runtime");
            if (logger is not null && services.GetService<CapabilityDiscoveryResult>() is { } discovered)
            {
                foreach (string failure in discovered.Failures)
                {
                    Log.CapabilityNotLoaded(logger, failure);
                }
            }

            if (logger is not null)
            {
                Log.CapabilitiesWired(logger, registry.Capabilities.Count, registry.PipelineNames);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private static partial class Log
        {
            [LoggerMessage(EventId = 3301, EventName = "capability_not_loaded", Level = LogLevel.Warning, Message = "A capability named in JEEVES_CAPABILITIES was not loaded: {Failure}")]
            public static partial void CapabilityNotLoaded(ILogger logger, string failure);

            [LoggerMessage(EventId = 3302, EventName = "capabilities_wired", Level = LogLevel.Information, Message = "{Count} capabilities ready; pipelines: {Pipelines}")]
            public static partial void CapabilitiesWired(ILogger logger, int count, IEnumerable<string> pipelines);
        }
    }
}
