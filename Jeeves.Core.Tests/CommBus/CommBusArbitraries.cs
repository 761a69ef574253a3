using FsCheck;
using FsCheck.Fluent;

namespace Jeeves.Tests.CommBus;

/// <summary>A subscription in a generated scenario: its patterns, and whether it is cancelled before the publishes.</summary>
public sealed record SubscriptionSpec(string[] Patterns, bool Cancelled)
{
    public override string ToString() => $"[{string.Join(", ", Patterns)}]{(Cancelled ? " (cancelled)" : string.Empty)}";
}

/// <summary>Subscriptions, then a sequence of published event types.</summary>
public sealed record FanOutScenario(SubscriptionSpec[] Subscriptions, string[] Events)
{
    public override string ToString() => $"subs {string.Join("; ", Subscriptions.Select(s => s.ToString()))} | events {string.Join(", ", Events)}";
}

/// <summary>What a handler operation does.</summary>
public enum HandlerOpKind
{
    Register,
    DisposeOne,
    Call,
}

/// <summary>One step against the command or query handlers: register, dispose the n-th registration ever made for the type, or call.</summary>
public sealed record HandlerOp(HandlerOpKind Kind, bool Query, string Type, int Which)
{
    public override string ToString() => $"{Kind} {(Query ? "query" : "command")} {Type}#{Which}";
}

/// <summary>A sequence of handler operations.</summary>
public sealed record HandlerScript(HandlerOp[] Ops)
{
    public override string ToString() => string.Join("; ", Ops.Select(o => o.ToString()));
}

/// <summary>FsCheck generators for the bus properties. Types and patterns come from a small alphabet so they overlap often.</summary>
public static class CommBusArbitraries
{
    public static readonly string[] EventTypes = ["a.x", "a.y", "a.y.z", "b", "b.x", "c"];

    public static readonly string[] Patterns = ["a.x", "a.y", "b", "b.x", "c", "d", "a.*", "a.y.*", "b.*", "*"];

    private static readonly string[] s_handlerTypes = ["t1", "t2", "t3"];

    public static Arbitrary<FanOutScenario> FanOutScenario()
    {
        Gen<SubscriptionSpec> subscription =
            from patterns in Gen.NonEmptyListOf(Gen.Elements(Patterns))
            from cancelled in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
            select new SubscriptionSpec([.. patterns], cancelled);
        Gen<FanOutScenario> scenario =
            from subscriptions in Gen.ArrayOf(subscription)
            from events in Gen.ArrayOf(Gen.Elements(EventTypes))
            select new FanOutScenario(subscriptions, events);
        return Arb.From(scenario);
    }

    public static Arbitrary<HandlerScript> HandlerScript()
    {
        Gen<HandlerOp> op =
            from kind in Gen.Elements(HandlerOpKind.Register, HandlerOpKind.DisposeOne, HandlerOpKind.Call)
            from query in Gen.Elements(false, true)
            from type in Gen.Elements(s_handlerTypes)
            from which in Gen.Choose(0, 7)
            select new HandlerOp(kind, query, type, which);
        return Arb.From(Gen.ArrayOf(op).Select(ops => new HandlerScript(ops)));
    }
}
