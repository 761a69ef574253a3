using Jeeves.Kernel.Tools;

namespace Jeeves.Tests.Kernel.Tools;

/// <summary>Per-agent tool access (reference tools/access.rs).</summary>
public sealed class ToolAccessPolicyTests
{
    [Test]
    public void Grant_GrantedAllowedOthersDenied()
    {
        var policy = new ToolAccessPolicy();
        policy.Grant("planner", ["search"]);

        Assert.That(policy.Check("planner", "search"), Is.True);
        Assert.That(policy.Check("planner", "delete"), Is.False);
        Assert.That(policy.Check("writer", "search"), Is.False);
    }

    [Test]
    public void GrantMany_AllAllowed()
    {
        var policy = new ToolAccessPolicy();
        policy.Grant("a", ["x", "y"]);

        Assert.That(policy.Check("a", "x") && policy.Check("a", "y"), Is.True);
    }

    [Test]
    public void Revoke_Denied()
    {
        var policy = new ToolAccessPolicy();
        policy.Grant("a", ["x"]);
        policy.Revoke("a", "x");
        policy.Revoke("ghost", "x");

        Assert.That(policy.Check("a", "x"), Is.False);
    }

    [Test]
    public void ToolsFor_SortedOrEmpty()
    {
        var policy = new ToolAccessPolicy();
        policy.Grant("a", ["b_tool", "a_tool", "b_tool"]);

        Assert.That(policy.ToolsFor("a"), Is.EqualTo(new[] { "a_tool", "b_tool" }));
        Assert.That(policy.ToolsFor("unknown"), Is.Empty);
    }

    [Test]
    public void Clear_AllDenied()
    {
        var policy = new ToolAccessPolicy();
        policy.Grant("a", ["x"]);
        policy.Clear("a");

        Assert.That(policy.Check("a", "x"), Is.False);
    }

    [Test]
    public void Facade_NullToolId_InvalidArgumentNothingGranted()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.GrantToolAccess("a", ["x", null!]));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(core.GetAgentTools("a"), Is.Empty);
    }
}
