using Jeeves.Ipc;

namespace Jeeves.Tests.Ipc.Client;

/// <summary>The contract suite against <see cref="TcpKernelClient"/>, talking to a real host on 127.0.0.1.</summary>
[TestFixture]
public sealed class TcpKernelContractTests : KernelContractTests
{
    protected override async Task<IKernelClient> CreateClientAsync(KernelOptions? options = null)
    {
        IKernelClient kernel = KernelClient.CreateInProcess(options, NewTime());
        Own(kernel);
        var host = new KernelTcpHost(kernel, new TcpHostOptions { Port = 0 });
        await host.StartAsync(CancellationToken.None);
        Own(host);
        TcpKernelClient client = await TcpKernelClient.ConnectAsync(host.LocalEndPoint!, new TcpClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
        Own(client);
        return client;
    }
}
