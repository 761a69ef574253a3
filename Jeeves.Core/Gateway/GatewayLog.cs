using Microsoft.Extensions.Logging;

namespace Jeeves.Gateway;

/// <summary>Log messages of the gateway services (event ids 900–999).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(901, LogLevel.Error, "The event source of a server-sent event stream failed.", EventName = "StreamSourceFailed")]
    public static partial void StreamSourceFailed(ILogger logger, Exception exception);

    [LoggerMessage(902, LogLevel.Warning, "The event source of a server-sent event stream ended without a terminal event.", EventName = "StreamEndedWithoutTerminalEvent")]
    public static partial void StreamEndedWithoutTerminalEvent(ILogger logger);
}
