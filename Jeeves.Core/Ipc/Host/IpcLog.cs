using System.Net;
using Microsoft.Extensions.Logging;

namespace Jeeves.Ipc;

/// <summary>The TCP host's log messages (STYLE P15: Ipc event ids 600–699).</summary>
internal static partial class IpcLog
{
    [LoggerMessage(600, LogLevel.Information, "Kernel IPC host listening on {EndPoint}.", EventName = nameof(HostStarted))]
    public static partial void HostStarted(this ILogger logger, EndPoint? endPoint);

    [LoggerMessage(601, LogLevel.Information, "Kernel IPC host stopped; {Aborted} connections were aborted.", EventName = nameof(HostStopped))]
    public static partial void HostStopped(this ILogger logger, int aborted);

    [LoggerMessage(602, LogLevel.Debug, "Connection {ConnectionId} from {RemoteEndPoint} accepted.", EventName = nameof(ConnectionAccepted))]
    public static partial void ConnectionAccepted(this ILogger logger, long connectionId, EndPoint? remoteEndPoint);

    [LoggerMessage(603, LogLevel.Debug, "Connection {ConnectionId} closed.", EventName = nameof(ConnectionClosed))]
    public static partial void ConnectionClosed(this ILogger logger, long connectionId);

    [LoggerMessage(604, LogLevel.Warning, "Connection from {RemoteEndPoint} refused: {MaxConnections} connections are open.", EventName = nameof(ConnectionLimitReached))]
    public static partial void ConnectionLimitReached(this ILogger logger, EndPoint? remoteEndPoint, int maxConnections);

    [LoggerMessage(605, LogLevel.Debug, "Connection {ConnectionId} closed on a bad frame: {Reason}", EventName = nameof(FrameRejected))]
    public static partial void FrameRejected(this ILogger logger, long connectionId, string reason);

    [LoggerMessage(606, LogLevel.Debug, "Connection {ConnectionId} closed: a frame did not arrive within {Timeout}.", EventName = nameof(ReadTimedOut))]
    public static partial void ReadTimedOut(this ILogger logger, long connectionId, TimeSpan timeout);

    [LoggerMessage(607, LogLevel.Debug, "Connection {ConnectionId} closed: idle for {Timeout}.", EventName = nameof(IdleTimedOut))]
    public static partial void IdleTimedOut(this ILogger logger, long connectionId, TimeSpan timeout);

    [LoggerMessage(608, LogLevel.Debug, "Connection {ConnectionId} lost.", EventName = nameof(ConnectionLost))]
    public static partial void ConnectionLost(this ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(609, LogLevel.Warning, "Connection {ConnectionId} from {RemoteEndPoint} closed: authentication failed.", EventName = nameof(AuthenticationFailed))]
    public static partial void AuthenticationFailed(this ILogger logger, long connectionId, EndPoint? remoteEndPoint);

    [LoggerMessage(610, LogLevel.Error, "Connection {ConnectionId} failed unexpectedly; the host keeps running.", EventName = nameof(ConnectionFailed))]
    public static partial void ConnectionFailed(this ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(611, LogLevel.Error, "Accepting a connection failed; retrying.", EventName = nameof(AcceptFailed))]
    public static partial void AcceptFailed(this ILogger logger, Exception exception);

    [LoggerMessage(612, LogLevel.Error, "Request {Service}.{Method} on connection {ConnectionId} failed unexpectedly.", EventName = nameof(HandlerFailed))]
    public static partial void HandlerFailed(this ILogger logger, long connectionId, string service, string method, Exception exception);

    [LoggerMessage(613, LogLevel.Warning, "Connection {ConnectionId} sends a {Length}-byte frame, above the {MaxFrameBytes}-byte limit clients apply.", EventName = nameof(OversizedFrameSent))]
    public static partial void OversizedFrameSent(this ILogger logger, long connectionId, long length, int maxFrameBytes);

    [LoggerMessage(614, LogLevel.Debug, "Connection {ConnectionId} closed: a send took longer than {Timeout}.", EventName = nameof(WriteTimedOut))]
    public static partial void WriteTimedOut(this ILogger logger, long connectionId, TimeSpan timeout);
}
