using System.Net.Sockets;
using Jeeves.Ipc;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Ipc.Host;

/// <summary>The host under many clients and under hostile bytes.</summary>
public sealed class HostLimitsTests
{
    [Test]
    public async Task SlowReader_PipelinesAndNeverReads_OthersServedAndTheWriteTimeoutClosesIt()
    {
        // Arrange: 200 processes make every ListProcesses reply about 100 KB; the slow client's window is small.
        var time = new FakeTimeProvider(TestKernel.Epoch);
        await using HostTestKit kit = await HostTestKit.StartAsync(o => o.WriteTimeout = TimeSpan.FromSeconds(5), hostTime: time);
        for (int i = 0; i < 200; i++)
        {
            await kit.Kernel.Kernel.CreateProcessAsync(new ProcessId($"process-{i:D4}"), new CreateProcessOptions { UserId = new UserId($"a-user-with-a-long-name-{i:D4}") });
        }

        WireClient other = await kit.ConnectAsync();
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync(kit.EndPoint);
        byte[] request = WireClient.Request("slow", "kernel", "ListProcesses");

        // Act: about 40 MB of replies are due, far beyond the socket buffers, and the slow client reads none of them.
        await slow.SendAsync(Enumerable.Repeat(request, 400).SelectMany(static b => b).ToArray(), SocketFlags.None);
        await HostTestKit.EventuallyAsync(() => kit.Host.ActiveConnections == 2);
        await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System);
        WireReply whileBlocked = await other.CallAsync("o1", "kernel", "GetSystemStatus");
        time.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        int openBeforeTimeout = kit.Host.ActiveConnections;
        for (int i = 0; i < 100 && kit.Host.ActiveConnections > 1; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }

        // Assert: the other connection was served throughout; the slow one closed on the write timeout, not before.
        Assert.That(whileBlocked.Ok, Is.True);
        Assert.That(openBeforeTimeout, Is.EqualTo(2));
        Assert.That(kit.Host.ActiveConnections, Is.EqualTo(1), "the write timeout did not close the slow reader");
        Assert.That((await other.CallAsync("o2", "kernel", "GetProcess", """{"pid":"process-0007"}""")).Ok, Is.True);
    }

    [Test]
    public async Task FiveHundredConcurrentClients_QueueSaturated_EveryCallAnsweredWithDataOrARetryableRefusal()
    {
        // Arrange: a small kernel queue, so 500 clients at once overflow it.
        await using HostTestKit kit = await HostTestKit.StartAsync(kernelOptions: new KernelOptions { QueueCapacity = 16 });
        WireClient[] clients = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => kit.ConnectAsync()));

        // Act: every client sends five requests back to back (pipelined) and reads five replies.
        WireReply[][] replies = await Task.WhenAll(clients.Select(async (client, c) =>
        {
            for (int i = 0; i < 5; i++)
            {
                await client.SendAsync($"c{c}-{i}", "kernel", "GetSystemStatus");
            }

            var answers = new WireReply[5];
            for (int i = 0; i < 5; i++)
            {
                answers[i] = await client.ReadReplyAsync();
            }

            return answers;
        }));

        // Assert: all 2,500 answered, in order per connection, each with data or the retryable queue-full refusal.
        for (int c = 0; c < replies.Length; c++)
        {
            for (int i = 0; i < 5; i++)
            {
                WireReply r = replies[c][i];
                Assert.That(r.Id, Is.EqualTo($"c{c}-{i}"));
                if (r.IsFailure)
                {
                    Assert.That(r.ErrorCode, Is.EqualTo("RESOURCE_EXHAUSTED"));
                    Assert.That((bool?)r.Error!["retryable"], Is.True);
                }
                else
                {
                    Assert.That(r.Body!["processes"], Is.Not.Null);
                }
            }
        }

        TestContext.Out.WriteLine($"refused {replies.SelectMany(r => r).Count(r => r.IsFailure)} of 2500");
        WireReply after = await clients[0].CallAsync("after", "kernel", "GetProcessCounts");
        Assert.That(after.Ok, Is.True, "the host and the kernel carry on");
    }

    /// <summary>Whatever bytes one connection sends, the host survives and a concurrent well-behaved connection is answered correctly.</summary>
    [FsCheck.NUnit.Property(MaxTest = 25)]
    public Task<bool> ArbitraryBytes_NeverDisturbAConcurrentConnection(byte[] payload, byte type, bool framed)
    {
        // Raw garbage, or a well-framed payload of any type byte (a request frame with a garbage map included).
        byte[] bytes = framed ? Frame(type, payload ?? []) : payload ?? [];
        return SurvivesAsync(bytes);
    }

    private static async Task<bool> SurvivesAsync(byte[] bytes)
    {
        await using HostTestKit kit = await HostTestKit.StartAsync();
        WireClient good = await kit.ConnectAsync();
        WireClient bad = await kit.ConnectAsync();
        Assert.That((await good.CallAsync("before", "kernel", "CreateProcess", """{"pid":"p1"}""")).Ok, Is.True);

        try
        {
            await bad.SendRawAsync(bytes);
            bad.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The host may already have closed the hostile connection; that is its right.
        }

        WireReply after = await good.CallAsync("after", "kernel", "GetProcess", """{"pid":"p1"}""");
        Assert.That(after.Ok, Is.True);
        Assert.That((string?)after.Body!["pid"], Is.EqualTo("p1"));
        Assert.That((await (await kit.ConnectAsync()).CallAsync("new", "kernel", "GetProcessCounts")).Ok, Is.True, "new connections are still accepted");
        return true;
    }

    private static byte[] Frame(byte type, byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(payload.Length + 1));
        frame[4] = type;
        payload.CopyTo(frame, 5);
        return frame;
    }
}
