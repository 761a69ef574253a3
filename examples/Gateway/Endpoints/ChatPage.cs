using Microsoft.AspNetCore.Http;

namespace Jeeves.Examples.Gateway.Endpoints;

/// <summary>The chat page, embedded in the assembly so the gateway serves it from anywhere.</summary>
internal static class ChatPage
{
    private static readonly Lazy<byte[]> s_page = new(static () =>
    {
        using Stream stream = typeof(ChatPage).Assembly.GetManifestResourceStream("Jeeves.Examples.Gateway.index.html")
            ?? throw new InvalidOperationException("The chat page is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static IResult Result() => Results.Bytes(s_page.Value, "text/html; charset=utf-8");
}
