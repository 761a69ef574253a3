using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Jeeves.Benchmarks.Load;

/// <summary>
/// The <c>load</c> verb: opens the connections, creates the probe process when needed, runs the warmup and the
/// measured window, and prints one <c>load</c> summary line plus <c>bench</c> lines in the quick-mode format.
/// </summary>
internal static class LoadRunner
{
    // How long past the end of the window the replies still due may take before the run gives up.
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(10);

    /// <summary>Runs the verb with the arguments that follow it.</summary>
    /// <returns>The exit code: 0 after a run, 1 when the run failed, 2 for bad arguments.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter diagnostics)
    {
        LoadOptions? options = LoadOptions.Parse(args, out string? error);
        if (options is null)
        {
            diagnostics.WriteLine(error);
            diagnostics.WriteLine(LoadOptions.Usage);
            return 2;
        }

        EchoServer? echo = options.Echo ? EchoServer.Start() : null;
        try
        {
            IPEndPoint? endPoint = echo?.EndPoint ?? await ResolveAsync(options, diagnostics);
            if (endPoint is null)
            {
                return 2;
            }

            string target = echo is null ? "host" : "echo";
            diagnostics.WriteLine($"load: {options.Method} against {target} {endPoint}, {options.Connections} connection(s), pipeline {options.Pipeline}");
            return await RunAgainstAsync(options, endPoint, target, output, diagnostics);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or InvalidOperationException)
        {
            diagnostics.WriteLine($"load failed: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
        finally
        {
            if (echo is not null)
            {
                await echo.DisposeAsync();
            }
        }
    }

    private static async Task<IPEndPoint?> ResolveAsync(LoadOptions options, TextWriter diagnostics)
    {
        IPAddress[] addresses = IPAddress.TryParse(options.Host, out IPAddress? literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(options.Host);
        if (addresses.Length == 0)
        {
            diagnostics.WriteLine($"load: {options.Host} resolves to no address");
            return null;
        }

        // Traffic stays on loopback unless asked otherwise: every address the name resolves to must be loopback.
        if (!options.AllowRemote && !addresses.All(IPAddress.IsLoopback))
        {
            diagnostics.WriteLine($"load: {options.Host} is not a loopback address; pass --allow-remote to target it");
            return null;
        }

        IPAddress address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0];
        return new IPEndPoint(address, options.Port);
    }

    private static async Task<int> RunAgainstAsync(LoadOptions options, IPEndPoint endPoint, string target, TextWriter output, TextWriter diagnostics)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.WarmupSeconds + options.Seconds) + DrainGrace + DrainGrace);
        CancellationToken ct = timeout.Token;
        string runTag = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId:x}{Stopwatch.GetTimestamp() & 0xffffff:x}");

        if (options.Method == LoadMethod.GetProcess)
        {
            await CreateProbeAsync(endPoint, runTag, diagnostics, ct);
        }

        var connections = new List<LoadConnection>(options.Connections);
        try
        {
            for (int i = 0; i < options.Connections; i++)
            {
                var protocol = new LoadProtocol(options.Method, i, runTag);
                connections.Add(await LoadConnection.ConnectAsync(endPoint, protocol, ct));
            }

            using (var check = new Jeeves.Ipc.FrameWriter())
            {
                connections[0].Protocol.SelfCheck(connections[0].Protocol.Encode(check, 1), 1);
            }

            long start = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * Stopwatch.Frequency);
            long end = start + (long)(options.Seconds * Stopwatch.Frequency);
            Task[] loops = connections.Select(c => Task.Run(() => c.RunAsync(start, end, options.Pipeline, ct), ct)).ToArray();

            await DelayUntilAsync(start, ct);
            GcSnapshot before = GcSnapshot.Take();
            await DelayUntilAsync(end, ct);
            GcSnapshot after = GcSnapshot.Take();
            await Task.WhenAll(loops);

            Report(options, target, connections, before, after, output, diagnostics);
            return 0;
        }
        finally
        {
            foreach (LoadConnection connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static Task DelayUntilAsync(long timestamp, CancellationToken ct)
    {
        TimeSpan wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        return wait > TimeSpan.Zero ? Task.Delay(wait, TimeProvider.System, ct) : Task.CompletedTask;
    }

    private static async Task CreateProbeAsync(IPEndPoint endPoint, string runTag, TextWriter diagnostics, CancellationToken ct)
    {
        // The same connection setup as the run, with a CreateProcess encoder whose pid is fixed to the probe's.
        var protocol = new LoadProtocol(LoadMethod.CreateProcess, 0, runTag, LoadProtocol.ProbePid);
        await using LoadConnection setup = await LoadConnection.ConnectAsync(endPoint, protocol, ct);
        ReplyOutcome outcome = await setup.RoundTripAsync(1, ct);

        // load-probe exists already, from an earlier run against the same host: ALREADY_EXISTS from ours,
        // FAILED_PRECONDITION from the reference kernel.
        if (outcome != ReplyOutcome.Ok &&
            protocol.FirstError?.StartsWith("ALREADY_EXISTS", StringComparison.Ordinal) != true &&
            protocol.FirstError?.StartsWith("FAILED_PRECONDITION", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"Creating {LoadProtocol.ProbePid} failed: {protocol.FirstError}");
        }

        diagnostics.WriteLine(outcome == ReplyOutcome.Ok ? $"load: created {LoadProtocol.ProbePid}" : $"load: {LoadProtocol.ProbePid} exists already");
    }

    private static void Report(LoadOptions options, string target, List<LoadConnection> connections, GcSnapshot before, GcSnapshot after, TextWriter output, TextWriter diagnostics)
    {
        var histogram = new LatencyHistogram();
        long requests = 0;
        long errors = 0;
        long retryable = 0;
        foreach (LoadConnection connection in connections)
        {
            histogram.Add(connection.Histogram);
            requests += connection.Requests;
            errors += connection.Errors;
            retryable += connection.Retryable;
            if (connection.Protocol.FirstError is string first)
            {
                diagnostics.WriteLine($"load: first error on a connection: {first}");
            }
        }

        double rps = requests / options.Seconds;
        double p50 = histogram.ValueAtPercentile(50) / 1000.0;
        double p99 = histogram.ValueAtPercentile(99) / 1000.0;
        double p999 = histogram.ValueAtPercentile(99.9) / 1000.0;
        long allocated = after.AllocatedBytes - before.AllocatedBytes;
        double allocPerRequest = requests == 0 ? 0 : (double)allocated / requests;
        CultureInfo inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv,
            $"load method={options.Method} connections={options.Connections} pipeline={options.Pipeline} seconds={options.Seconds} requests={requests} rps={rps:0} p50_us={p50:0.0} p99_us={p99:0.0} p999_us={p999:0.0} errors={errors} retryable={retryable} gen0={after.Gen0 - before.Gen0} gen1={after.Gen1 - before.Gen1} gen2={after.Gen2 - before.Gen2} alloc_per_request_B={allocPerRequest:0.0}"));

        string name = string.Create(inv, $"load.{target}_{SnakeCase(options.Method.ToString())}_c{options.Connections}{(options.Pipeline > 1 ? $"_p{options.Pipeline}" : string.Empty)}");
        output.WriteLine(string.Create(inv, $"bench {name} value={rps:0} unit=req/s"));
        output.WriteLine(string.Create(inv, $"bench {name}_p50 value={p50:0.0} unit=us"));
        output.WriteLine(string.Create(inv, $"bench {name}_p99 value={p99:0.0} unit=us"));
        output.WriteLine(string.Create(inv, $"bench {name}_p999 value={p999:0.0} unit=us"));
        output.WriteLine(string.Create(inv, $"bench {name}_alloc value={allocPerRequest:0.0} unit=B"));
    }

    private static string SnakeCase(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));

    private readonly record struct GcSnapshot(int Gen0, int Gen1, int Gen2, long AllocatedBytes)
    {
        public static GcSnapshot Take() =>
            new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes(precise: true));
    }
}
