// The kernel as a standalone process: an in-process kernel behind the loopback TCP + MessagePack host.
//   dotnet run --project examples/KernelHost -- --port 50051 [--token SECRET] [--queue 2048]
// Stops cleanly on Ctrl+C (SIGINT) or SIGTERM.
using System.Globalization;
using Jeeves;
using Jeeves.Ipc;
using Microsoft.Extensions.Logging;

int port = 50051;
string? token = null;
int queue = 2048;
for (int i = 0; i < args.Length; i++)
{
    string value = i + 1 < args.Length ? args[i + 1] : string.Empty;
    switch (args[i])
    {
        case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is >= 0 and <= 65535:
            port = p;
            i++;
            break;
        case "--token" when value.Length > 0:
            token = value;
            i++;
            break;
        case "--queue" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int q) && q > 0:
            queue = q;
            i++;
            break;
        default:
            Console.Error.WriteLine("usage: KernelHost [--port 0-65535] [--token SECRET] [--queue N]");
            return 2;
    }
}

using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
ILogger log = loggers.CreateLogger("KernelHost");

var options = new KernelOptions { QueueCapacity = queue };
await using IKernelClient kernel = KernelClient.CreateInProcess(options, TimeProvider.System, loggers.CreateLogger("Jeeves.Kernel"));
await using var host = new KernelTcpHost(kernel, new TcpHostOptions { Port = port, AuthToken = token }, TimeProvider.System, loggers.CreateLogger("Jeeves.Ipc"));

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.Cancel();
});

await host.StartAsync(CancellationToken.None);
log.Listening(host.LocalEndPoint?.ToString() ?? "?");
try
{
    await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C or SIGTERM: stop below.
}

log.Stopping();
using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
await host.StopAsync(grace.Token);
log.Stopped();
log.Collections(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes() / (1024.0 * 1024.0));
return 0;

/// <summary>The example's log messages.</summary>
internal static partial class HostLog
{
    [LoggerMessage(1, LogLevel.Information, "Jeeves kernel listening on {EndPoint}; Ctrl+C to stop", EventName = "Listening")]
    public static partial void Listening(this ILogger logger, string endPoint);

    [LoggerMessage(2, LogLevel.Information, "Stopping", EventName = "Stopping")]
    public static partial void Stopping(this ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "Stopped", EventName = "Stopped")]
    public static partial void Stopped(this ILogger logger);

    [LoggerMessage(4, LogLevel.Information, "Garbage collections over the run: gen0 {Gen0}, gen1 {Gen1}, gen2 {Gen2}; {AllocatedMegabytes:F1} MB allocated", EventName = "Collections")]
    public static partial void Collections(this ILogger logger, int gen0, int gen1, int gen2, double allocatedMegabytes);
}
