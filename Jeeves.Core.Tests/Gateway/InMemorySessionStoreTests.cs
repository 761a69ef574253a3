using Jeeves.Gateway;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Gateway;

/// <summary>The in-memory session store: ownership, ordering, paging, soft delete and thread safety.</summary>
public sealed class InMemorySessionStoreTests
{
    [Test]
    public async Task CreateSession_StampsTimeFromTheInjectedClockAndStartsEmpty()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var store = new InMemorySessionStore(time);

        ChatSession session = await store.CreateSessionAsync("alice", "");

        Assert.That(session.UserId, Is.EqualTo("alice"));
        Assert.That(session.Title, Is.Null, "an empty title is no title");
        Assert.That(session.MessageCount, Is.Zero);
        Assert.That(session.Status, Is.EqualTo("active"));
        Assert.That(session.CreatedAt, Is.EqualTo(TestKernel.Epoch));
        Assert.That(session.LastActivityAt, Is.Null);
    }

    [Test]
    public async Task AppendMessage_CountsAndOrdersMessagesAndMovesActivity()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var store = new InMemorySessionStore(time);
        ChatSession s = await store.CreateSessionAsync("alice", "t");

        time.Advance(TimeSpan.FromSeconds(5));
        await store.AppendMessageAsync(s.SessionId, "alice", SessionMessage.UserRole, "hello");
        await store.AppendMessageAsync(s.SessionId, "alice", SessionMessage.AssistantRole, "hi");

        SessionMessagePage? page = await store.GetMessagesAsync(s.SessionId, "alice", 100, 0);
        ChatSession? after = await store.GetSessionAsync(s.SessionId, "alice");
        Assert.That(page!.Messages.Select(m => (m.Role, m.Content)), Is.EqualTo(new[] { ("user", "hello"), ("assistant", "hi") }));
        Assert.That(page.Total, Is.EqualTo(2));
        Assert.That(page.Messages.Select(m => m.MessageId).Distinct().Count(), Is.EqualTo(2));
        Assert.That(after!.MessageCount, Is.EqualTo(2));
        Assert.That(after.LastActivityAt, Is.EqualTo(TestKernel.Epoch.AddSeconds(5)));
    }

    [Test]
    public async Task OtherUsersSession_BehavesAsMissing()
    {
        var store = new InMemorySessionStore();
        ChatSession s = await store.CreateSessionAsync("alice", null);

        Assert.That(await store.GetSessionAsync(s.SessionId, "bob"), Is.Null);
        Assert.That(await store.GetMessagesAsync(s.SessionId, "bob", 10, 0), Is.Null);
        Assert.That(await store.AppendMessageAsync(s.SessionId, "bob", "user", "x"), Is.Null);
        Assert.That(await store.DeleteSessionAsync(s.SessionId, "bob"), Is.False);
        Assert.That((await store.ListSessionsAsync("bob", 50, 0)).Total, Is.Zero);
        Assert.That(await store.GetSessionAsync(s.SessionId, "alice"), Is.Not.Null);
    }

    [Test]
    public async Task ListSessions_MostRecentlyActiveFirstWithLimitOffsetAndTotal()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var store = new InMemorySessionStore(time);
        var ids = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            ids.Add((await store.CreateSessionAsync("alice", $"s{i}")).SessionId);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await store.AppendMessageAsync(ids[1], "alice", "user", "bump");

        SessionPage first = await store.ListSessionsAsync("alice", 2, 0);
        SessionPage second = await store.ListSessionsAsync("alice", 2, 2);
        SessionPage beyond = await store.ListSessionsAsync("alice", 2, 10);
        Assert.That(first.Sessions.Select(s => s.Title), Is.EqualTo(new[] { "s1", "s4" }));
        Assert.That(second.Sessions.Select(s => s.Title), Is.EqualTo(new[] { "s3", "s2" }));
        Assert.That(beyond.Sessions, Is.Empty);
        Assert.That(new[] { first.Total, second.Total, beyond.Total }, Is.All.EqualTo(5));
    }

    [Test]
    public async Task ListSessions_EqualTimestamps_StableOrderAcrossPages()
    {
        var store = new InMemorySessionStore(new FakeTimeProvider(TestKernel.Epoch));
        for (int i = 0; i < 7; i++)
        {
            await store.CreateSessionAsync("alice", $"s{i}");
        }

        var paged = new List<string?>();
        for (int offset = 0; offset < 7; offset += 3)
        {
            paged.AddRange((await store.ListSessionsAsync("alice", 3, offset)).Sessions.Select(s => s.Title));
        }

        Assert.That(paged, Is.EqualTo(new[] { "s6", "s5", "s4", "s3", "s2", "s1", "s0" }));
    }

    [Test]
    public async Task DeleteSession_HiddenUnlessIncludeDeleted_SecondDeleteFalse()
    {
        var store = new InMemorySessionStore();
        ChatSession s = await store.CreateSessionAsync("alice", null);

        bool deleted = await store.DeleteSessionAsync(s.SessionId, "alice");

        Assert.That(deleted, Is.True);
        Assert.That(await store.DeleteSessionAsync(s.SessionId, "alice"), Is.False);
        Assert.That(await store.GetSessionAsync(s.SessionId, "alice"), Is.Null);
        Assert.That((await store.ListSessionsAsync("alice", 50, 0)).Total, Is.Zero);
        SessionPage withDeleted = await store.ListSessionsAsync("alice", 50, 0, includeDeleted: true);
        Assert.That(withDeleted.Sessions.Single().Status, Is.EqualTo("deleted"));
    }

    [TestCase(0, 0)]
    [TestCase(201, 0)]
    [TestCase(10, -1)]
    public void ListSessions_LimitsOutOfRange_Throw(int limit, int offset)
    {
        var store = new InMemorySessionStore();

        Assert.That(() => store.ListSessionsAsync("alice", limit, offset), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [TestCase(0, 0)]
    [TestCase(501, 0)]
    [TestCase(10, -1)]
    public void GetMessages_LimitsOutOfRange_Throw(int limit, int offset)
    {
        var store = new InMemorySessionStore();

        Assert.That(() => store.GetMessagesAsync("s", "alice", limit, offset), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task ConcurrentAppends_NoneLost()
    {
        var store = new InMemorySessionStore();
        ChatSession s = await store.CreateSessionAsync("alice", null);

        await Parallel.ForAsync(0, 400, async (i, ct) =>
        {
            await store.AppendMessageAsync(s.SessionId, "alice", "user", $"m{i}", ct);
            if (i % 10 == 0)
            {
                await store.CreateSessionAsync("alice", null, ct);
            }
        });

        SessionMessagePage? page = await store.GetMessagesAsync(s.SessionId, "alice", 500, 0);
        Assert.That(page!.Total, Is.EqualTo(400));
        Assert.That(page.Messages.Select(m => m.Content).Distinct().Count(), Is.EqualTo(400));
        Assert.That((await store.GetSessionAsync(s.SessionId, "alice"))!.MessageCount, Is.EqualTo(400));
        Assert.That((await store.ListSessionsAsync("alice", 200, 0)).Total, Is.EqualTo(41));
    }
}
