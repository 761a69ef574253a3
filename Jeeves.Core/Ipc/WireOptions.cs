using MessagePack;

namespace Jeeves.Ipc;

/// <summary>The one MessagePack configuration of the wire (STYLE P14).</summary>
internal static class WireOptions
{
    /// <summary>
    /// Gets the security settings every inbound value is read with: <see cref="MessagePackSecurity.UntrustedData"/>,
    /// with the reference decoder's depth limit (at most <see cref="FrameLayout.MaxNestingDepth"/> nested arrays and maps).
    /// </summary>
    public static readonly MessagePackSecurity Security =
        MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(FrameLayout.MaxNestingDepth);

    /// <summary>Gets the serializer options for the wire, should a DTO ever go through <see cref="MessagePackSerializer"/>.</summary>
    public static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(Security);
}
