using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Jeeves.Examples.Gateway;

/// <summary>The gateway's settings, read from the environment and the command line (spec surface §1).</summary>
public sealed class GatewaySettings
{
    /// <summary>The address to listen on (<c>API_HOST</c>, <c>--host</c>); loopback unless told otherwise.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port (<c>API_PORT</c>, <c>--port</c>); 0 picks a free one.</summary>
    public int Port { get; set; } = 8000;

    /// <summary>The origins allowed to call the API from a browser, with credentials (<c>CORS_ORIGINS</c>, comma-separated, trimmed).</summary>
    public IReadOnlyList<string> CorsOrigins { get; set; } = ["http://localhost:8000", "http://127.0.0.1:8000", "http://localhost:3000"];

    /// <summary>The largest request body accepted, in bytes (<c>MAX_REQUEST_BODY_BYTES</c>).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1_048_576;

    /// <summary>Whether API requests are checked against the kernel's per-user rate limiter (<c>RATE_LIMIT_ENABLED</c>).</summary>
    public bool RateLimitEnabled { get; set; } = true;

    /// <summary>
    /// The pause between the words the mock model streams (<c>MOCK_TOKEN_DELAY_MS</c>; 0 for none), so a person sees the
    /// answer arrive as it would from a real model. Only the mock is paced.
    /// </summary>
    public TimeSpan MockTokenDelay { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>The service id: <c>/health</c> reports <c>&lt;id&gt;-gateway</c>.</summary>
    public string ServiceId { get; set; } = "jeeves";

    /// <summary>Reads the settings; a value that does not parse fails start-up with a message naming it.</summary>
    public static GatewaySettings From(IConfiguration configuration)
    {
        var settings = new GatewaySettings();
        string? host = configuration["host"] ?? configuration["API_HOST"];
        if (!string.IsNullOrWhiteSpace(host))
        {
            settings.Host = host.Trim();
        }

        string? port = configuration["port"] ?? configuration["API_PORT"];
        if (port is not null)
        {
            settings.Port = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p <= 65535
                ? p
                : throw new InvalidOperationException($"API_PORT/--port must be a port number (0-65535), not '{port}'.");
        }

        string? origins = configuration["CORS_ORIGINS"];
        if (origins is not null)
        {
            settings.CorsOrigins = [.. origins.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        }

        string? maxBytes = configuration["MAX_REQUEST_BODY_BYTES"];
        if (maxBytes is not null)
        {
            settings.MaxRequestBodyBytes = long.TryParse(maxBytes, NumberStyles.None, CultureInfo.InvariantCulture, out long m) && m > 0
                ? m
                : throw new InvalidOperationException($"MAX_REQUEST_BODY_BYTES must be a positive number of bytes, not '{maxBytes}'.");
        }

        string? rateLimit = configuration["RATE_LIMIT_ENABLED"];
        if (rateLimit is not null)
        {
            settings.RateLimitEnabled = !string.Equals(rateLimit.Trim(), "false", StringComparison.OrdinalIgnoreCase) && rateLimit.Trim() != "0";
        }

        string? tokenDelay = configuration["MOCK_TOKEN_DELAY_MS"];
        if (tokenDelay is not null)
        {
            settings.MockTokenDelay = int.TryParse(tokenDelay, NumberStyles.None, CultureInfo.InvariantCulture, out int ms) && ms <= 10_000
                ? TimeSpan.FromMilliseconds(ms)
                : throw new InvalidOperationException($"MOCK_TOKEN_DELAY_MS must be a number of milliseconds (0-10000), not '{tokenDelay}'.");
        }

        return settings;
    }

    /// <summary>Refuses settings the gateway cannot run with safely.</summary>
    public void Validate()
    {
        // Credentials are always allowed, and a browser must never be told that any origin may send them (spec §2.1, §2.3).
        if (CorsOrigins.Any(static o => o == "*"))
        {
            throw new InvalidOperationException(
                "CORS_ORIGINS contains '*', but the gateway allows credentials, and a wildcard origin with credentials would let any site call the API as the user. List the allowed origins instead.");
        }
    }
}
