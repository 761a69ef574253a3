using System.Text.RegularExpressions;

namespace Jeeves.Llm;

/// <summary>
/// Represents a scripted answer of a <see cref="MockChatClient"/>: the calls it applies to and the reply it gives.
/// Rules are tried in the order they were added; the first that matches answers.
/// </summary>
/// <remarks>A rule matches when every condition that is set holds; a rule without conditions matches every call.</remarks>
public sealed class MockRule
{
    /// <summary>Gets the agent the call must come from (ordinal comparison with <see cref="MockChatCall.AgentName"/>); <see langword="null"/> for any.</summary>
    public string? AgentName { get; init; }

    /// <summary>Gets a pattern that must match somewhere in <see cref="MockChatCall.PromptText"/>; <see langword="null"/> for any text.</summary>
    public Regex? PromptPattern { get; init; }

    /// <summary>Gets a test the call must pass; <see langword="null"/> for none. It runs under the mock's lock: keep it quick and pure.</summary>
    public Func<MockChatCall, bool>? Predicate { get; init; }

    /// <summary>Gets the reply; set this or <see cref="ReplyFactory"/>.</summary>
    public MockReply? Reply { get; init; }

    /// <summary>Gets a function that makes the reply from the call; set this or <see cref="Reply"/>.</summary>
    public Func<MockChatCall, MockReply>? ReplyFactory { get; init; }

    /// <summary>Gets a value indicating whether the rule answers one call only and is then removed; otherwise it stays (sticky).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Once { get; init; }

    internal bool Matches(MockChatCall call) =>
        (AgentName is null || string.Equals(AgentName, call.AgentName, StringComparison.Ordinal))
        && (PromptPattern is null || PromptPattern.IsMatch(call.PromptText))
        && (Predicate is null || Predicate(call));
}
