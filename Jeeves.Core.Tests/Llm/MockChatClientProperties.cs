using FsCheck;
using FsCheck.Fluent;
using Jeeves.Llm;
using Microsoft.Extensions.AI;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Llm;

/// <summary>A generated conversation: system knowledge and user questions built from a small vocabulary, so words overlap often.</summary>
public sealed record Conversation(string System, string[] Questions)
{
    public override string ToString() => $"system: {System} | questions: {string.Join(" / ", Questions)}";
}

/// <summary>Spec/runtime.md §12 (24): the mock is pure with respect to its input, and counts every call.</summary>
public sealed class MockChatClientProperties
{
    private static readonly string[] s_words =
        ["kernel", "process", "budget", "tool", "agent", "the", "and", "is", "pipeline", "interrupt", "a", "of", "bus", "event", "model", "?", "."];

    public static Arbitrary<Conversation> Conversations()
    {
        Gen<string> sentence = Gen.ListOf(Gen.Elements(s_words)).Select(ws => string.Join(" ", ws));
        Gen<string> system = Gen.ListOf(sentence).Select(ss => string.Join(". ", ss));
        return Arb.From(
            from s in system
            from qs in Gen.NonEmptyListOf(sentence)
            select new Conversation(s, [.. qs]));
    }

    [Property(Arbitrary = new[] { typeof(MockChatClientProperties) }, MaxTest = 300)]
    public async Task<bool> SamePrompt_GivesTheSameReply_WhateverCameBefore_AndEveryCallCounts(Conversation conversation)
    {
        var first = new MockChatClient();
        var second = new MockChatClient();
        var answers = new List<string>();
        foreach (string question in conversation.Questions)
        {
            ChatMessage[] prompt = [new(ChatRole.System, conversation.System), new(ChatRole.User, question)];
            answers.Add((await first.GetResponseAsync(prompt)).Text);
        }

        // The second mock sees the questions in reverse, each twice, once streamed.
        bool same = true;
        for (int i = conversation.Questions.Length - 1; i >= 0; i--)
        {
            ChatMessage[] prompt = [new(ChatRole.System, conversation.System), new(ChatRole.User, conversation.Questions[i])];
            same &= (await second.GetResponseAsync(prompt)).Text == answers[i];
            string streamed = string.Empty;
            await foreach (ChatResponseUpdate update in second.GetStreamingResponseAsync(prompt))
            {
                streamed += update.Text;
            }

            same &= streamed == answers[i];
        }

        return same
            && first.CallCount == conversation.Questions.Length
            && second.CallCount == 2 * conversation.Questions.Length
            && answers.All(a => a.Length > 0);
    }
}
