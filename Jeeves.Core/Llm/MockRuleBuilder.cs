namespace Jeeves.Llm;

/// <summary>Completes a <see cref="MockRule"/> started with <see cref="MockChatClient.On"/> by giving its reply.</summary>
public sealed class MockRuleBuilder
{
    private readonly MockChatClient _client;
    private readonly MockRule _conditions;

    internal MockRuleBuilder(MockChatClient client, MockRule conditions)
    {
        _client = client;
        _conditions = conditions;
    }

    /// <summary>Answers every matching call with a reply.</summary>
    /// <param name="reply">The reply.</param>
    /// <returns>The mock, to add more rules.</returns>
    public MockChatClient Reply(MockReply reply) => Add(reply, null, once: false);

    /// <summary>Answers every matching call with a text.</summary>
    /// <param name="text">The answer.</param>
    /// <returns>The mock, to add more rules.</returns>
    public MockChatClient Reply(string text) => Add(MockReply.FromText(text), null, once: false);

    /// <summary>Answers every matching call with a reply made from the call.</summary>
    /// <param name="replyFactory">Makes the reply.</param>
    /// <returns>The mock, to add more rules.</returns>
    public MockChatClient Reply(Func<MockChatCall, MockReply> replyFactory) => Add(null, replyFactory, once: false);

    /// <summary>Answers the next matching call with a reply, then removes the rule.</summary>
    /// <param name="reply">The reply.</param>
    /// <returns>The mock, to add more rules.</returns>
    public MockChatClient ReplyOnce(MockReply reply) => Add(reply, null, once: true);

    /// <summary>Answers the next matching call with a text, then removes the rule.</summary>
    /// <param name="text">The answer.</param>
    /// <returns>The mock, to add more rules.</returns>
    public MockChatClient ReplyOnce(string text) => Add(MockReply.FromText(text), null, once: true);

    private MockChatClient Add(MockReply? reply, Func<MockChatCall, MockReply>? factory, bool once) =>
        _client.AddRule(new MockRule
        {
            AgentName = _conditions.AgentName,
            PromptPattern = _conditions.PromptPattern,
            Predicate = _conditions.Predicate,
            Reply = reply,
            ReplyFactory = factory,
            Once = once,
        });
}
