namespace Jeeves.Ipc;

/// <summary>The fixed numbers of the frame layout and the decoder limits (spec/ipc.md §1.2, §1.10, §3.1).</summary>
internal static class FrameLayout
{
    /// <summary>The length prefix: an unsigned 32-bit big-endian count of the type byte plus the payload.</summary>
    public const int PrefixLength = 4;

    /// <summary>The prefix plus the type byte: the bytes of a frame before its payload.</summary>
    public const int HeaderLength = PrefixLength + 1;

    /// <summary>The default largest accepted <c>len</c> (5 MiB); <c>len == max</c> is accepted.</summary>
    public const int DefaultMaxFrameBytes = 5 * 1024 * 1024;

    /// <summary>
    /// The largest configurable <c>len</c>: the prefix plus <c>len</c> must fit one array, so a whole frame can be
    /// asked of the pipe in one read.
    /// </summary>
    public const int MaxConfigurableFrameBytes = 0x7FFF_FF00;

    /// <summary>The most nested arrays and maps a decoded value may have, the request map included (§3.1).</summary>
    public const int MaxNestingDepth = 1023;
}
