using System.Diagnostics.Metrics;
using Jeeves.Hosting;
using Jeeves.Ipc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds services around the <see cref="Jeeves.IKernelClient"/> registered by
/// <see cref="JeevesKernelServiceCollectionExtensions.AddJeevesKernel"/> or
/// <see cref="JeevesKernelServiceCollectionExtensions.AddJeevesKernelClient"/>.
/// </summary>
public sealed class JeevesKernelBuilder
{
    /// <summary>The logger category of the TCP host.</summary>
    internal const string IpcLoggerCategory = "Jeeves.Ipc";

    internal JeevesKernelBuilder(IServiceCollection services) => Services = services;

    /// <summary>Gets the service collection the kernel is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Serves the registered <see cref="Jeeves.IKernelClient"/> to other processes with a <see cref="KernelTcpHost"/>, run as a hosted service.</summary>
    /// <param name="configure">Configures the host options, or <see langword="null"/> to keep the defaults.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// The host starts and stops with the application; find it, and its <see cref="KernelTcpHost.LocalEndPoint"/>, among
    /// the <see cref="IHostedService"/> services. Calling this method again adds no second host, but its
    /// <paramref name="configure"/> still runs. The options are validated when the application starts; a non-loopback
    /// address without <see cref="TcpHostOptions.AllowNonLoopback"/> and an <see cref="TcpHostOptions.AuthToken"/> fails
    /// with <see cref="OptionsValidationException"/>.
    /// </remarks>
    public JeevesKernelBuilder AddTcpHost(Action<TcpHostOptions>? configure = null)
    {
        OptionsBuilder<TcpHostOptions> options = Services.AddOptions<TcpHostOptions>();
        if (configure is not null)
        {
            _ = options.Configure(configure);
        }

        _ = options.ValidateOnStart();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TcpHostOptions>, TcpHostOptionsValidator>());
        Services.TryAddSingleton(TimeProvider.System);
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KernelTcpHost>(static sp => new KernelTcpHost(
            sp.GetRequiredService<Jeeves.IKernelClient>(),
            sp.GetRequiredService<IOptions<TcpHostOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger(IpcLoggerCategory),
            sp.GetService<IMeterFactory>())));
        return this;
    }
}
