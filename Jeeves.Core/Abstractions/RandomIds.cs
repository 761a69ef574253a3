using System.Security.Cryptography;

namespace Jeeves;

/// <summary>
/// Random identifiers from the operating system's cryptographic generator, drawn a block at a time: every pid, session,
/// request, envelope, interrupt and tool-call id needs fresh random bytes, and one call into the generator costs about
/// as much as all the rest of a small kernel step (hundreds of nanoseconds in a virtual machine), so each thread fills a
/// small buffer at once and hands it out in pieces. Bytes are wiped from the buffer as they are handed out.
/// </summary>
internal static class RandomIds
{
    private const int BlockSize = 512;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_used;

    /// <summary>Fills <paramref name="destination"/> (at most 64 bytes) with random bytes.</summary>
    public static void Fill(Span<byte> destination)
    {
        if (destination.Length > 64)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        byte[]? block = t_block;
        int used = t_used;
        if (block is null || used + destination.Length > BlockSize)
        {
            block = t_block ??= new byte[BlockSize];
            RandomNumberGenerator.Fill(block);
            used = 0;
        }

        Span<byte> taken = block.AsSpan(used, destination.Length);
        taken.CopyTo(destination);
        taken.Clear();
        t_used = used + destination.Length;
    }

    /// <summary>Creates a random (version 4) UUID, as <see cref="Guid.NewGuid"/> does.</summary>
    public static Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Fill(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);      // version 4: the high nibble of the third group
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);      // the RFC 4122 variant
        return new Guid(bytes);
    }

    /// <summary>Creates <paramref name="prefix"/> followed by <paramref name="hexDigits"/> random lower-case hex digits (an even number, at most 32).</summary>
    public static string NewHexId(string prefix, int hexDigits)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hexDigits, 32);
        if (hexDigits % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(hexDigits), hexDigits, "An even number of hex digits is expected.");
        }

        return string.Create(prefix.Length + hexDigits, prefix, static (chars, prefix) =>
        {
            prefix.AsSpan().CopyTo(chars);
            Span<byte> random = stackalloc byte[16];
            random = random[..((chars.Length - prefix.Length) / 2)];
            Fill(random);
            _ = Convert.TryToHexStringLower(random, chars[prefix.Length..], out _);
        });
    }
}
