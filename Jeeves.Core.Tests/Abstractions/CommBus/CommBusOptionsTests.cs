namespace Jeeves.Tests.Abstractions.CommBus;

/// <summary>Bus options refuse bad values when set and carry our defaults.</summary>
public sealed class CommBusOptionsTests
{
    [Test]
    public void Defaults_AsDocumented()
    {
        var o = new CommBusOptions();

        Assert.That(o.SubscriberCapacity, Is.EqualTo(1024));
        Assert.That(o.DefaultQueryTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(o.MaxQueryTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(new KernelOptions().CommBus.SubscriberCapacity, Is.EqualTo(1024));
    }

    [Test]
    public void Setters_BadValues_RefusedAndValueKept()
    {
        var o = new CommBusOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => o.SubscriberCapacity = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.DefaultQueryTimeout = TimeSpan.FromTicks(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => o.MaxQueryTimeout = Timeout.InfiniteTimeSpan);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.MaxQueryTimeout = TimeSpan.FromDays(30));
        Assert.That((o.SubscriberCapacity, o.DefaultQueryTimeout, o.MaxQueryTimeout), Is.EqualTo((1024, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30))));
    }

    [Test]
    public void Setters_Bounds_Accepted()
    {
        var o = new CommBusOptions { SubscriberCapacity = 1, DefaultQueryTimeout = TimeSpan.Zero, MaxQueryTimeout = TimeSpan.FromMilliseconds(int.MaxValue) };

        Assert.That((o.SubscriberCapacity, o.DefaultQueryTimeout, o.MaxQueryTimeout), Is.EqualTo((1, TimeSpan.Zero, TimeSpan.FromMilliseconds(int.MaxValue))));
    }
}
