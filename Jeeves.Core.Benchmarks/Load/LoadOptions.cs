using System.Globalization;

namespace Jeeves.Benchmarks.Load;

/// <summary>The options of the <c>load</c> verb.</summary>
internal sealed record LoadOptions
{
    /// <summary>Gets the target host; a loopback address unless <see cref="AllowRemote"/>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Gets the target port.</summary>
    public int Port { get; init; } = 50051;

    /// <summary>Gets the number of connections, each with its own loop.</summary>
    public int Connections { get; init; } = 16;

    /// <summary>Gets the measured duration.</summary>
    public double Seconds { get; init; } = 5;

    /// <summary>Gets the unmeasured warmup before it.</summary>
    public double WarmupSeconds { get; init; } = 1;

    /// <summary>Gets the request sent.</summary>
    public LoadMethod Method { get; init; } = LoadMethod.GetProcess;

    /// <summary>Gets a value indicating whether to start an in-process echo server and target it.</summary>
    public bool Echo { get; init; }

    /// <summary>Gets the number of requests in flight per connection.</summary>
    public int Pipeline { get; init; } = 1;

    /// <summary>Gets a value indicating whether a host that is not a loopback address is allowed.</summary>
    public bool AllowRemote { get; init; }

    /// <summary>The usage text.</summary>
    public const string Usage =
        "usage: load [--host 127.0.0.1] [--port 50051] [--connections 16] [--seconds 5] [--warmup-seconds 1]\n" +
        "            [--method GetProcess|CreateProcess|GetSystemStatus|Echo] [--pipeline 1] [--echo] [--allow-remote]";

    /// <summary>Parses the arguments that follow the verb.</summary>
    /// <returns>The options, or <see langword="null"/> with <paramref name="error"/> set.</returns>
    public static LoadOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new LoadOptions();
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            switch (name)
            {
                case "--echo":
                    options = options with { Echo = true };
                    continue;
                case "--allow-remote":
                    options = options with { AllowRemote = true };
                    continue;
                default:
                    break;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value, or is unknown";
                return null;
            }

            string value = args[++i];
            options = name switch
            {
                "--host" => options with { Host = value },
                "--port" => TryInt(value, 1, 65535) is int port ? options with { Port = port } : null,
                "--connections" => TryInt(value, 1, 10_000) is int c ? options with { Connections = c } : null,
                "--pipeline" => TryInt(value, 1, 4096) is int p ? options with { Pipeline = p } : null,
                "--seconds" => TrySeconds(value, 0.001) is double s ? options with { Seconds = s } : null,
                "--warmup-seconds" => TrySeconds(value, 0) is double w ? options with { WarmupSeconds = w } : null,
                "--method" => Enum.TryParse(value, ignoreCase: true, out LoadMethod m) && Enum.IsDefined(m) ? options with { Method = m } : null,
                _ => null,
            };
            if (options is null)
            {
                error = $"bad option or value: {name} {value}";
                return null;
            }
        }

        return options;
    }

    private static int? TryInt(string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max ? value : null;

    private static double? TrySeconds(string text, double min) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) && value >= min && value <= 86_400 ? value : null;
}
