using System.Net;
using Jeeves;
using Jeeves.Hosting;
using Jeeves.Ipc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers a Jeeves kernel, or a client for a kernel in another process, as the <see cref="IKernelClient"/> of a service collection.
/// </summary>
public static class JeevesKernelServiceCollectionExtensions
{
    /// <summary>The logger category of an in-process kernel.</summary>
    internal const string KernelLoggerCategory = "Jeeves.Kernel";

    /// <summary>
    /// Registers an in-process kernel as the singleton <see cref="IKernelClient"/>, with its <see cref="KernelOptions"/>
    /// and a <see cref="TimeProvider"/> (<see cref="TimeProvider.System"/> unless one is already registered), and a
    /// <c>PipelineRunner</c> over it for the capabilities added with <c>AddCapability</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the kernel options, or <see langword="null"/> to keep the defaults.</param>
    /// <returns>A builder to add capabilities, chat clients and a TCP host with.</returns>
    /// <remarks>
    /// <para>
    /// The kernel starts when the client is first resolved (a TCP host resolves it as the host starts) and stops when the
    /// container is disposed. The client is only asynchronously disposable, so dispose the container with
    /// <see cref="IAsyncDisposable.DisposeAsync"/>, as the generic host does.
    /// </para>
    /// <para>
    /// Calling this method again registers nothing new, but its <paramref name="configure"/> still runs, after the
    /// earlier ones. An <see cref="IKernelClient"/> registered before this call is kept. The options are validated once,
    /// when the host starts, or else when the client is first resolved; a bad value fails with <see cref="OptionsValidationException"/>.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static JeevesKernelBuilder AddJeevesKernel(this IServiceCollection services, Action<KernelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<KernelOptions> options = services.AddOptions<KernelOptions>();
        if (configure is not null)
        {
            _ = options.Configure(configure);
        }

        if (!IsRegistered<JeevesKernelMarker>(services))
        {
            services.AddSingleton(new JeevesKernelMarker());
            _ = options.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KernelOptions>, KernelOptionsValidator>());
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton(static sp => KernelClient.CreateInProcess(
                sp.GetRequiredService<IOptions<KernelOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger(KernelLoggerCategory)));
        }

        return new JeevesKernelBuilder(services).AddRuntime();
    }

    /// <summary>
    /// Registers a <see cref="TcpKernelClient"/> for the kernel host at <paramref name="endpoint"/> as the singleton
    /// <see cref="IKernelClient"/>, and a <c>PipelineRunner</c> over it for the capabilities added with <c>AddCapability</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="endpoint">The kernel host's address.</param>
    /// <param name="configure">Configures the client options, or <see langword="null"/> to keep the defaults.</param>
    /// <returns>A builder to add capabilities and chat clients with (a TCP host added here would serve the remote kernel).</returns>
    /// <remarks>
    /// <para>
    /// The client connects on its first call, not when resolved, because a service factory cannot wait for a connection.
    /// So an unreachable host or a refused token shows up as a <see cref="KernelException"/> from that first call
    /// (<see cref="KernelErrorCode.Unavailable"/> or <see cref="KernelErrorCode.Unauthenticated"/>), just as after a
    /// dropped connection. Use <see cref="TcpKernelClient.ConnectAsync"/> directly to fail at start instead.
    /// </para>
    /// <para>
    /// An <see cref="IKernelClient"/> registered before this call, by this method or <see cref="AddJeevesKernel"/>, is kept.
    /// The container disposes the client, closing its connections.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="endpoint"/> is <see langword="null"/>.</exception>
    public static JeevesKernelBuilder AddJeevesKernelClient(this IServiceCollection services, EndPoint endpoint, Action<TcpClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(endpoint);
        OptionsBuilder<TcpClientOptions> options = services.AddOptions<TcpClientOptions>();
        if (configure is not null)
        {
            _ = options.Configure(configure);
        }

        services.TryAddSingleton<IKernelClient>(sp =>
            TcpKernelClient.CreateUnconnected(endpoint, sp.GetRequiredService<IOptions<TcpClientOptions>>().Value));
        return new JeevesKernelBuilder(services).AddRuntime();
    }

    private static bool IsRegistered<T>(IServiceCollection services)
    {
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(T))
            {
                return true;
            }
        }

        return false;
    }
}
