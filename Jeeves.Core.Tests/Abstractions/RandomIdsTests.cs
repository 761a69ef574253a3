using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;

namespace Jeeves.Tests.Abstractions;

/// <summary>Random identifiers drawn from a per-thread block of cryptographic random bytes.</summary>
public sealed partial class RandomIdsTests
{
    [Test]
    public void Guids_are_version_4_with_the_rfc_variant()
    {
        for (int i = 0; i < 1_000; i++)
        {
            string text = RandomIds.NewGuid().ToString("D");

            Assert.That(text, Does.Match(UuidV4().ToString()));
        }
    }

    [Test]
    public void Ids_stay_distinct_across_many_blocks_and_threads()
    {
        const int PerThread = 20_000;           // about 40 blocks per thread at 8 bytes an id
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                ids.Add(RandomIds.NewHexId("x_", 16));
            }
        });

        Assert.That(ids.Distinct().Count(), Is.EqualTo(4 * PerThread));
    }

    [Test]
    public void Process_session_request_and_envelope_ids_keep_their_shapes()
    {
        Envelope envelope = Envelope.Create(TestKernel.Epoch);

        Assert.That(ProcessId.New().Value, Does.Match(UuidV4().ToString()));
        Assert.That(SessionId.New().Value, Does.Match(UuidV4().ToString()));
        Assert.That(envelope.Identity.EnvelopeId, Does.Match("^env_[0-9a-f]{16}$"));
        Assert.That(envelope.Identity.RequestId, Does.Match("^req_[0-9a-f]{16}$"));
        Assert.That(envelope.Identity.SessionId, Does.Match("^sess_[0-9a-f]{16}$"));
    }

    [FsCheck.NUnit.Property]
    public Property Hex_ids_have_the_prefix_and_exactly_the_digits_asked_for() =>
        Prop.ForAll(
            Gen.Choose(0, 16).Select(n => n * 2).ToArbitrary(),
            Gen.Elements("", "call_", "int_", "a-much-longer-prefix-").ToArbitrary(),
            (digits, prefix) =>
            {
                string id = RandomIds.NewHexId(prefix, digits);
                return id.StartsWith(prefix, StringComparison.Ordinal)
                    && id.Length == prefix.Length + digits
                    && id[prefix.Length..].All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));
            });

    [Test]
    public void Odd_or_too_many_digits_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomIds.NewHexId("x", 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomIds.NewHexId("x", 34));
    }

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidV4();
}
