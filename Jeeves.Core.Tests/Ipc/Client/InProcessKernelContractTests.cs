namespace Jeeves.Tests.Ipc.Client;

/// <summary>The contract suite against the in-process client.</summary>
[TestFixture]
public sealed class InProcessKernelContractTests : KernelContractTests
{
    protected override Task<IKernelClient> CreateClientAsync(KernelOptions? options = null)
    {
        IKernelClient client = KernelClient.CreateInProcess(options, NewTime());
        Own(client);
        return Task.FromResult(client);
    }
}
