namespace Jeeves.Tests.Abstractions;

/// <summary>Options refuse bad values when set, and carry the reference defaults.</summary>
public sealed class KernelOptionsTests
{
    [Test]
    public void Defaults_MatchReference()
    {
        var o = new KernelOptions();

        Assert.That(o.QueueCapacity, Is.EqualTo(2048));
        Assert.That(o.DefaultQuota, Is.EqualTo(ResourceQuota.Default));
        Assert.That((o.RateLimit.RequestsPerMinute, o.RateLimit.RequestsPerHour, o.RateLimit.BurstSize), Is.EqualTo((60, 1000, 10)));
        Assert.That(o.Interrupts[InterruptKind.Clarification].RequireResponse, Is.True);
        Assert.That(o.Interrupts[InterruptKind.Checkpoint].TimeToLive, Is.Null);
        Assert.That(o.Interrupts[InterruptKind.SystemError].TimeToLive, Is.EqualTo(TimeSpan.FromHours(1)));
    }

    [Test]
    public void ResourceQuota_Defaults_MatchReference()
    {
        ResourceQuota q = ResourceQuota.Default;

        Assert.That(new[] { q.MaxInputTokens, q.MaxOutputTokens, q.MaxContextTokens, q.MaxLlmCalls, q.MaxToolCalls, q.MaxAgentHops, q.MaxIterations,
            q.TimeoutSeconds, q.SoftTimeoutSeconds, q.RateLimitRpm, q.RateLimitRph, q.RateLimitBurst, q.MaxInferenceRequests, q.MaxInferenceInputChars },
            Is.EqualTo(new[] { 100_000, 50_000, 150_000, 100, 50, 10, 20, 300, 240, 60, 1000, 10, 50, 500_000 }));
    }

    [Test]
    public void Setters_BadValues_Refused()
    {
        var o = new KernelOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => o.QueueCapacity = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.RateLimit.BurstSize = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.Cleanup.ProcessRetention = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => o.Interrupts[InterruptKind.Timeout].TimeToLive = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = o.Interrupts[(InterruptKind)42]);
        Assert.Throws<ArgumentNullException>(() => o.DefaultQuota = null!);
        Assert.That(o.QueueCapacity, Is.EqualTo(2048));
    }

    [Test]
    public void KernelStart_NegativeDefaultQuota_Refused()
    {
        var o = new KernelOptions { DefaultQuota = new ResourceQuota { MaxLlmCalls = -5 } };

        var ex = Assert.Throws<KernelException>(() => KernelClient.CreateInProcess(o));

        Assert.That(ex!.Message, Is.EqualTo("validation error: max_llm_calls must be non-negative, got -5"));
    }

    [Test]
    public void OptionsChangedAfterStart_NoEffect()
    {
        var o = new KernelOptions();
        var core = new Jeeves.Kernel.KernelCore(o, TimeProvider.System);
        o.RateLimit.BurstSize = 0;

        Assert.That(core.CheckRateLimit(new UserId("u")).Allowed, Is.True);
    }
}
