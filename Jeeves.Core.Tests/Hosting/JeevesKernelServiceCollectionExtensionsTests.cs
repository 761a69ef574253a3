using System.Net;
using Jeeves.Ipc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Jeeves.Tests.Hosting;

/// <summary>Registration of the kernel, its TCP host and a TCP client in a service collection.</summary>
public sealed class JeevesKernelServiceCollectionExtensionsTests
{
    private static ProcessId P(string pid) => new(pid);

    [Test]
    public async Task AddJeevesKernel_ResolvesAWorkingKernel_WithTheConfiguredOptions()
    {
        var services = new ServiceCollection();
        JeevesKernelBuilder builder = services.AddJeevesKernel(o => o.DefaultQuota = new ResourceQuota { MaxLlmCalls = 7 });
        await using ServiceProvider provider = services.BuildServiceProvider();

        IKernelClient client = provider.GetRequiredService<IKernelClient>();
        ProcessInfo created = await client.Kernel.CreateProcessAsync(P("p1"));

        Assert.That(builder.Services, Is.SameAs(services));
        Assert.That(created.State, Is.EqualTo(ProcessState.Ready));
        Assert.That(created.Quota.MaxLlmCalls, Is.EqualTo(7));
        Assert.That(provider.GetRequiredService<IKernelClient>(), Is.SameAs(client));
        Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(TimeProvider.System));
    }

    [Test]
    public async Task AddJeevesKernel_Twice_RegistersOneClient_AndRunsBothConfigures()
    {
        var services = new ServiceCollection();
        services.AddJeevesKernel(o => o.QueueCapacity = 5);
        services.AddJeevesKernel(o => o.DefaultQuota = new ResourceQuota { MaxToolCalls = 3 });
        await using ServiceProvider provider = services.BuildServiceProvider();

        KernelOptions options = provider.GetRequiredService<IOptions<KernelOptions>>().Value;
        ProcessInfo created = await provider.GetRequiredService<IKernelClient>().Kernel.CreateProcessAsync(P("p1"));

        Assert.That(services.Count(d => d.ServiceType == typeof(IKernelClient)), Is.EqualTo(1));
        Assert.That(services.Count(d => d.ServiceType == typeof(TimeProvider)), Is.EqualTo(1));
        Assert.That(provider.GetServices<IKernelClient>().Count(), Is.EqualTo(1));
        Assert.That(options.QueueCapacity, Is.EqualTo(5));
        Assert.That(created.Quota.MaxToolCalls, Is.EqualTo(3));
    }

    [Test]
    public async Task AddJeevesKernel_KeepsARegisteredTimeProvider()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestKernel.Epoch);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddJeevesKernel();
        await using ServiceProvider provider = services.BuildServiceProvider();

        ProcessInfo created = await provider.GetRequiredService<IKernelClient>().Kernel.CreateProcessAsync(P("p1"));

        Assert.That(created.CreatedAt, Is.EqualTo(TestKernel.Epoch));
    }

    [Test]
    public async Task AddJeevesKernel_BadDefaultQuota_FailsOnResolve()
    {
        var services = new ServiceCollection();
        services.AddJeevesKernel(o => o.DefaultQuota = new ResourceQuota { MaxLlmCalls = -1 });
        await using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IKernelClient>());

        Assert.That(ex!.Message, Does.Contain("DefaultQuota").And.Contain("max_llm_calls"));
    }

    [Test]
    public async Task AddJeevesKernel_BadDefaultQuota_FailsAtHostStart()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddJeevesKernel(o => o.DefaultQuota = new ResourceQuota { MaxToolCalls = -2 });
        IHost host = builder.Build();
        try
        {
            var ex = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.That(ex!.OptionsType, Is.EqualTo(typeof(KernelOptions)));
        }
        finally
        {
            await DisposeAsync(host);
        }
    }

    [Test]
    public async Task AddTcpHost_NonLoopbackWithoutOptIn_FailsAtHostStart()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddJeevesKernel().AddTcpHost(o => o.Address = IPAddress.Any);
        IHost host = builder.Build();
        try
        {
            var ex = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.That(ex!.Message, Does.Contain("AllowNonLoopback"));
        }
        finally
        {
            await DisposeAsync(host);
        }
    }

    [Test]
    public async Task DisposingTheProvider_StopsTheKernel()
    {
        var services = new ServiceCollection();
        services.AddJeevesKernel();
        ServiceProvider provider = services.BuildServiceProvider();
        IKernelClient client = provider.GetRequiredService<IKernelClient>();
        await client.Kernel.CreateProcessAsync(P("p1"));

        await provider.DisposeAsync();

        var ex = Assert.ThrowsAsync<KernelException>(() => client.Kernel.CreateProcessAsync(P("p2")));
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.Unavailable));
    }

    [Test]
    public async Task AddTcpHost_UnderAGenericHost_ServesAClientFromAddJeevesKernelClient()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddJeevesKernel().AddTcpHost(o => o.Port = 0).AddTcpHost();
        IHost host = builder.Build();
        try
        {
            await host.StartAsync();
            KernelTcpHost tcpHost = host.Services.GetServices<IHostedService>().OfType<KernelTcpHost>().Single();
            var endpoint = (IPEndPoint)tcpHost.LocalEndPoint!;

            var clientServices = new ServiceCollection();
            clientServices.AddJeevesKernelClient(endpoint, o => o.RequestTimeout = TimeSpan.FromSeconds(30));
            await using (ServiceProvider clientProvider = clientServices.BuildServiceProvider())
            {
                IKernelClient remote = clientProvider.GetRequiredService<IKernelClient>();
                ProcessInfo created = await remote.Kernel.CreateProcessAsync(P("remote-1"));

                Assert.That(remote, Is.InstanceOf<TcpKernelClient>());
                Assert.That(created.State, Is.EqualTo(ProcessState.Ready));
            }

            ProcessInfo? local = await host.Services.GetRequiredService<IKernelClient>().Kernel.GetProcessAsync(P("remote-1"));
            Assert.That(endpoint.Address, Is.EqualTo(IPAddress.Loopback));
            Assert.That(endpoint.Port, Is.Not.Zero);
            Assert.That(local?.State, Is.EqualTo(ProcessState.Ready));

            await host.StopAsync();
            Assert.That(tcpHost.ActiveConnections, Is.Zero);
        }
        finally
        {
            await DisposeAsync(host);
        }
    }

    [Test]
    public async Task AddJeevesKernelClient_UnreachableHost_FailsOnFirstCallNotOnResolve()
    {
        // Bind and release a loopback port so nothing listens on it.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var endpoint = (IPEndPoint)probe.LocalEndpoint;
        probe.Stop();

        var services = new ServiceCollection();
        services.AddJeevesKernelClient(endpoint);
        await using ServiceProvider provider = services.BuildServiceProvider();
        IKernelClient client = provider.GetRequiredService<IKernelClient>();

        var ex = Assert.ThrowsAsync<KernelException>(() => client.Kernel.CreateProcessAsync(P("p1")));
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.Unavailable));
    }

    [Test]
    public void NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => JeevesKernelServiceCollectionExtensions.AddJeevesKernel(null!));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddJeevesKernelClient(null!));
    }

    private static async Task DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }
}
