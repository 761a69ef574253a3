using System.Text.Json;
using System.Text.RegularExpressions;
using Jeeves.Kernel;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Kernel;

/// <summary>
/// Interrupt invariants of spec §19 (22-28): random scripts of create, resolve, cancel, expiry and cleanup run
/// against <see cref="KernelCore"/> and a small model, compared after every step.
/// </summary>
public sealed partial class InterruptProperties
{
    private static readonly TimeSpan s_retention = TimeSpan.FromHours(1);

    [GeneratedRegex("^int_[0-9a-f]{16}$")]
    private static partial Regex IdFormat();

    /// <summary>
    /// (22) a status changes at most once, away from pending; (23) a failed resolve changes nothing; (24) resolved has a
    /// response and resolved_at, cancelled has a cancel_reason; (25) pending queries return exactly the live pending
    /// interrupts, in creation order or newest first; (26) the stats add up; (27) cleanup never removes a pending
    /// interrupt and leaves no dangling or empty index entry; (28) ids are unique and well formed, and the expiry is
    /// the kind's time to live.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void Interrupts_AnyScript_FollowTheModelAndKeepEveryInvariant(InterruptScript script)
    {
        // Arrange
        KernelOptions options = null!;
        KernelCore core = TestKernel.Create(out FakeTimeProvider time, o =>
        {
            o.Cleanup.InterruptRetention = s_retention;
            options = o;
        });
        var model = new List<ModelInterrupt>();
        var ids = new HashSet<string>(StringComparer.Ordinal);

        for (int step = 0; step < script.Ops.Count; step++)
        {
            InterruptOp op = script.Ops[step];
            string where = $"step {step}: {op}";
            DateTimeOffset now = time.GetUtcNow();
            ModelInterrupt? target = op.Target < 0 || model.Count == 0 ? null : model[op.Target % model.Count];
            string targetId = target?.Id ?? "int_0123456789abcdef";

            // Act and assert the operation's own result.
            switch (op.Kind)
            {
                case InterruptOpKind.Create:
                    KernelInterrupt created = core.CreateInterrupt(new CreateInterruptRequest
                    {
                        Kind = op.InterruptKind,
                        SessionId = InterruptOp.SessionOf(op.Session),
                        RequestId = InterruptOp.RequestOf(op.Request),
                        UserId = InterruptOp.UserOf(op.User),
                    });
                    TimeSpan? ttl = options.Interrupts[op.InterruptKind].TimeToLive;

                    // (28)
                    Assert.That(created.Id, Does.Match(IdFormat()), where);
                    Assert.That(ids.Add(created.Id), Is.True, $"{where}: duplicate id {created.Id}");
                    Assert.That((created.Status, created.CreatedAt, created.ExpiresAt - created.CreatedAt, created.ResolvedAt, created.ClosedAt),
                        Is.EqualTo((InterruptStatus.Pending, now, ttl, (DateTimeOffset?)null, (DateTimeOffset?)null)), where);
                    Assert.That(created.ExpiresAt.HasValue, Is.EqualTo(op.InterruptKind != InterruptKind.Checkpoint), $"{where}: checkpoint never expires");
                    model.Add(new ModelInterrupt(created.Id, op, now, created.ExpiresAt, options.Interrupts[op.InterruptKind]));
                    break;

                case InterruptOpKind.Resolve:
                    string? responder = target is null ? null : op.Responder switch
                    {
                        Responder.Owner => target.User,
                        Responder.OtherUser => InterruptOp.UserOf((target.UserIndex + 1) % InterruptOp.UserCount),
                        _ => null,
                    };
                    var response = op.EmptyResponse ? new InterruptResponse() : new InterruptResponse { Text = "yes", Approved = true };
                    string? beforeResolve = Serialize(core.GetInterrupt(targetId));
                    target?.Observe(now);
                    bool expectResolved = target is { Status: InterruptStatus.Pending, Removed: false } &&
                        (responder is null || responder == target.User);
                    bool expectRefusal = expectResolved && target!.Settings.RequireResponse && op.EmptyResponse;

                    if (expectRefusal)
                    {
                        KernelException? error = Assert.Throws<KernelException>(() => core.ResolveInterrupt(targetId, response, responder), where);
                        Assert.That(error!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument), where);
                    }
                    else
                    {
                        Assert.That(core.ResolveInterrupt(targetId, response, responder), Is.EqualTo(expectResolved), where);
                    }

                    if (expectResolved && !expectRefusal)
                    {
                        target!.Close(InterruptStatus.Resolved, now);
                    }
                    else
                    {
                        // (23) byte for byte the same.
                        Assert.That(Serialize(core.GetInterrupt(targetId)), Is.EqualTo(beforeResolve), $"{where}: a failed resolve changed the interrupt");
                    }

                    break;

                case InterruptOpKind.Cancel:
                    target?.Observe(now);
                    bool expectCancelled = target is { Status: InterruptStatus.Pending, Removed: false };
                    Assert.That(core.CancelInterrupt(targetId, "changed my mind"), Is.EqualTo(expectCancelled), where);
                    if (expectCancelled)
                    {
                        target!.Close(InterruptStatus.Cancelled, now);
                    }

                    break;

                case InterruptOpKind.Get:
                    break; // every interrupt is read below

                case InterruptOpKind.Advance:
                    time.Advance(op.Advance);
                    break;

                case InterruptOpKind.Expire:
                    Assert.That(core.ExpireInterrupts(), Is.EqualTo(model.Count(m => m.Observe(now))), where);
                    break;

                case InterruptOpKind.Cleanup:
                    int expired = model.Count(m => m.Observe(now));
                    var removable = model.Where(m => !m.Removed && m.Status != InterruptStatus.Pending && m.ClosedAt < now - s_retention).ToList();
                    CleanupStats stats = core.RunCleanup();
                    Assert.That((stats.InterruptsExpired, stats.InterruptsRemoved), Is.EqualTo((expired, removable.Count)), where);
                    removable.ForEach(m => m.Removed = true);
                    break;
            }

            AssertPendingQueries(core, model, op, time.GetUtcNow(), where);
            AssertEveryInterrupt(core, model, time.GetUtcNow(), where);
        }
    }

    /// <summary>(28) Ids are unique and match ^int_[0-9a-f]{16}$; expires_at - created_at is the kind's time to live, absent for checkpoint.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 200)]
    public void CreateInterrupt_AnyKinds_IdsAreUniqueAndExpiryIsTheKindTtl(InterruptKind[] kinds)
    {
        // Arrange
        KernelCore core = TestKernel.Create(out FakeTimeProvider time);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var ttl = new Dictionary<InterruptKind, TimeSpan?>
        {
            [InterruptKind.Clarification] = TimeSpan.FromHours(24),
            [InterruptKind.Confirmation] = TimeSpan.FromHours(1),
            [InterruptKind.AgentReview] = TimeSpan.FromMinutes(30),
            [InterruptKind.Checkpoint] = null,
            [InterruptKind.ResourceExhausted] = TimeSpan.FromMinutes(5),
            [InterruptKind.Timeout] = TimeSpan.FromMinutes(5),
            [InterruptKind.SystemError] = TimeSpan.FromHours(1),
        };

        foreach (InterruptKind kind in kinds)
        {
            // Act
            time.Advance(TimeSpan.FromMilliseconds(1_500));
            KernelInterrupt created = core.CreateInterrupt(new CreateInterruptRequest { Kind = kind, SessionId = "s", RequestId = "r" });

            // Assert
            Assert.That(created.Id, Does.Match(IdFormat()));
            Assert.That(ids.Add(created.Id), Is.True, $"duplicate id {created.Id}");
            Assert.That(created.CreatedAt, Is.EqualTo(time.GetUtcNow()));
            Assert.That(created.ExpiresAt - created.CreatedAt, Is.EqualTo(ttl[kind]), $"{kind}");
        }
    }

    /// <summary>
    /// A response with no text, approval, decision or data is refused with InvalidArgument, leaving the interrupt
    /// pending, exactly for the kinds that need an answer (clarification, confirmation, agent_review); other kinds
    /// resolve.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 200)]
    public void ResolveInterrupt_EmptyResponse_RefusedExactlyForKindsThatNeedAnAnswer(InterruptKind[] kinds)
    {
        // Arrange
        KernelCore core = TestKernel.Create(out FakeTimeProvider time);
        InterruptKind[] needAnswer = [InterruptKind.Clarification, InterruptKind.Confirmation, InterruptKind.AgentReview];

        foreach (InterruptKind kind in kinds)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            string id = core.CreateInterrupt(new CreateInterruptRequest { Kind = kind, UserId = "alice" }).Id;

            // Act
            KernelException? error = null;
            bool resolved = false;
            try
            {
                resolved = core.ResolveInterrupt(id, new InterruptResponse(), "alice");
            }
            catch (KernelException ex)
            {
                error = ex;
            }

            // Assert
            if (needAnswer.Contains(kind))
            {
                Assert.That(error?.Code, Is.EqualTo(KernelErrorCode.InvalidArgument), $"{kind}");
                Assert.That(core.GetInterrupt(id)!.Status, Is.EqualTo(InterruptStatus.Pending), $"{kind}");
            }
            else
            {
                Assert.That((error, resolved), Is.EqualTo(((KernelException?)null, true)), $"{kind}");
                Assert.That(core.GetInterrupt(id)!.Status, Is.EqualTo(InterruptStatus.Resolved), $"{kind}");
            }
        }
    }

    /// <summary>(25) The pending queries see exactly the live pending interrupts: in creation order per session, newest first per request.</summary>
    private static void AssertPendingQueries(KernelCore core, List<ModelInterrupt> model, InterruptOp op, DateTimeOffset now, string where)
    {
        InterruptKind[] filter = [op.InterruptKind];
        for (int s = 0; s <= InterruptOp.SessionCount; s++)
        {
            string session = InterruptOp.SessionOf(s); // the last one is never used, so always empty
            var live = model.Where(m => m.Session == session && m.IsLivePending(now)).ToList();
            Assert.That(core.GetPendingForSession(session).Select(i => i.Id), Is.EqualTo(live.Select(m => m.Id)), $"{where}: pending for {session}");
            Assert.That(core.GetPendingForSession(session, filter).Select(i => i.Id), Is.EqualTo(live.Where(m => m.Kind == op.InterruptKind).Select(m => m.Id)),
                $"{where}: pending {op.InterruptKind} for {session}");
            Assert.That(core.GetPendingForSession(session, []), Is.Empty, $"{where}: an empty kind filter");
        }

        for (int r = 0; r <= InterruptOp.RequestCount; r++)
        {
            string request = InterruptOp.RequestOf(r);
            Assert.That(core.GetPendingForRequest(request)?.Id, Is.EqualTo(model.LastOrDefault(m => m.Request == request && m.IsLivePending(now))?.Id),
                $"{where}: pending for {request}");
        }
    }

    /// <summary>Reads every interrupt (which expires the due ones, as any access does) and checks it, the stats and the indexes.</summary>
    private static void AssertEveryInterrupt(KernelCore core, List<ModelInterrupt> model, DateTimeOffset now, string where)
    {
        foreach (ModelInterrupt m in model)
        {
            KernelInterrupt? actual = core.GetInterrupt(m.Id);
            m.Observe(now);
            if (m.Removed)
            {
                Assert.That(actual, Is.Null, $"{where}: {m.Id} should be gone");
                continue;
            }

            Assert.That(actual, Is.Not.Null, $"{where}: {m.Id} ({m.LastSeen}) disappeared");

            // (22) at most one change of status, and only away from pending.
            Assert.That(m.LastSeen == InterruptStatus.Pending || actual!.Status == m.LastSeen, Is.True,
                $"{where}: {m.Id} went {m.LastSeen} -> {actual!.Status}");
            m.LastSeen = actual.Status;

            var seen = (actual.Status, actual.Kind, actual.SessionId, actual.RequestId, actual.UserId, actual.CreatedAt, actual.ExpiresAt, actual.ClosedAt, actual.ResolvedAt);
            var expected = (m.Status, m.Kind, m.Session, m.Request, m.User, m.CreatedAt, m.ExpiresAt, m.ClosedAt, m.ResolvedAt);
            if (seen != expected)
            {
                Assert.That(seen, Is.EqualTo(expected), $"{where}: {m.Id}");
            }

            // (24)
            Assert.That(actual.Status != InterruptStatus.Resolved || (actual.Response is not null && actual.ResolvedAt is not null), Is.True,
                $"{where}: resolved {m.Id} without a response or resolved_at");
            Assert.That(actual.Status != InterruptStatus.Cancelled || actual.Data?["cancel_reason"] is not null, Is.True,
                $"{where}: cancelled {m.Id} without a cancel_reason");
        }

        // (26) the four status counts add up to the number stored.
        var live = model.Where(m => !m.Removed).ToList();
        Dictionary<InterruptStatus, int> stats = core.Interrupts.Stats();
        Assert.That(stats.Keys, Is.EquivalentTo(Enum.GetValues<InterruptStatus>()), $"{where}: stat keys");
        Assert.That(stats.Values.Sum(), Is.EqualTo(core.Interrupts.Count).And.EqualTo(live.Count), $"{where}: total");
        foreach (InterruptStatus status in Enum.GetValues<InterruptStatus>())
        {
            Assert.That(stats[status], Is.EqualTo(live.Count(m => m.Status == status)), $"{where}: {status}");
        }

        Assert.That(core.GetSystemStatus().PendingInterrupts, Is.EqualTo(stats[InterruptStatus.Pending]), $"{where}: pending count");

        // (27) one index key per request id and per session id still in use: no empty lists left behind.
        int keys = live.Select(m => m.Request).Distinct().Count() + live.Select(m => m.Session).Distinct().Count();
        Assert.That(core.Interrupts.IndexKeyCount, Is.EqualTo(keys), $"{where}: index keys");
    }

    private static string? Serialize(KernelInterrupt? interrupt) => interrupt is null ? null : JsonSerializer.Serialize(interrupt);

    /// <summary>The model of one interrupt.</summary>
    private sealed class ModelInterrupt(string id, InterruptOp op, DateTimeOffset createdAt, DateTimeOffset? expiresAt, InterruptKindOptions settings)
    {
        public string Id { get; } = id;

        public InterruptKind Kind { get; } = op.InterruptKind;

        public string Session { get; } = InterruptOp.SessionOf(op.Session);

        public string Request { get; } = InterruptOp.RequestOf(op.Request);

        public int UserIndex { get; } = op.User;

        public string User { get; } = InterruptOp.UserOf(op.User);

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public DateTimeOffset? ExpiresAt { get; } = expiresAt;

        public InterruptKindOptions Settings { get; } = settings;

        public InterruptStatus Status { get; private set; } = InterruptStatus.Pending;

        public InterruptStatus LastSeen { get; set; } = InterruptStatus.Pending;

        public DateTimeOffset? ClosedAt { get; private set; }

        public DateTimeOffset? ResolvedAt { get; private set; }

        public bool Removed { get; set; }

        public bool IsLivePending(DateTimeOffset now) => !Removed && Status == InterruptStatus.Pending && !(ExpiresAt < now);

        /// <summary>An access at <paramref name="now"/>: a due interrupt of an auto-expiring kind expires.</summary>
        /// <returns><see langword="true"/> when this access expired it.</returns>
        public bool Observe(DateTimeOffset now)
        {
            if (Removed || Status != InterruptStatus.Pending || !Settings.AutoExpire || !(ExpiresAt < now))
            {
                return false;
            }

            Close(InterruptStatus.Expired, now);
            return true;
        }

        public void Close(InterruptStatus status, DateTimeOffset now)
        {
            Status = status;
            ClosedAt = now;
            ResolvedAt = status == InterruptStatus.Resolved ? now : null;
        }
    }
}
