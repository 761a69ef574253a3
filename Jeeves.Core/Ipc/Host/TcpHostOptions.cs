using System.Net;

namespace Jeeves.Ipc;

/// <summary>
/// Represents the settings of a <see cref="KernelTcpHost"/> (spec/ipc.md §1.10). Values are copied when the host is
/// constructed; changing the options afterwards has no effect.
/// </summary>
/// <remarks>
/// Single values are checked by their setters. The rule that spans fields (a non-loopback <see cref="Address"/> needs
/// <see cref="AllowNonLoopback"/> and an <see cref="AuthToken"/>) is checked by the host's constructor.
/// </remarks>
public sealed class TcpHostOptions
{
    /// <summary>Gets or sets the address to listen on.</summary>
    /// <value>The default value is <see cref="IPAddress.Loopback"/> (127.0.0.1).</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public IPAddress Address
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    } = IPAddress.Loopback;

    /// <summary>Gets or sets the port to listen on; 0 picks any free port (read it from <see cref="KernelTcpHost.LocalEndPoint"/>).</summary>
    /// <value>The default value is 50051.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 0 or above 65535.</exception>
    public int Port
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, IPEndPoint.MaxPort);
            field = value;
        }
    } = 50051;

    /// <summary>Gets or sets a value indicating whether <see cref="Address"/> may be other than a loopback address. Such a host also needs an <see cref="AuthToken"/>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowNonLoopback { get; set; }

    /// <summary>
    /// Gets or sets the shared secret a client must present first on every connection, with the request
    /// <c>auth</c>/<c>Authenticate</c> and body <c>{"token": …}</c>; <see langword="null"/> for no authentication, as upstream.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public string? AuthToken
    {
        get;
        set
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrEmpty(value);
            }

            field = value;
        }
    }

    /// <summary>Gets or sets the most connections served at once; a connection beyond it is accepted and closed at once, without a frame.</summary>
    /// <value>The default value is 1000.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxConnections
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 1000;

    /// <summary>Gets or sets the largest accepted frame <c>len</c> (type byte plus payload); a larger one closes the connection.</summary>
    /// <value>The default value is 5 MiB (5,242,880).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1 or above 2,147,483,392.</exception>
    public int MaxFrameBytes
    {
        get;
        set
        {
            FrameReader.CheckMaxFrameBytes(value);
            field = value;
        }
    } = FrameLayout.DefaultMaxFrameBytes;

    /// <summary>
    /// Gets or sets how long a frame may take to arrive once its first byte has; the connection closes silently when it
    /// expires. Waiting between frames is bounded by <see cref="IdleTimeout"/> instead.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan ReadTimeout
    {
        get;
        set
        {
            CheckTimeout(value);
            field = value;
        }
    } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long a connection may wait between frames before it is closed; <see langword="null"/> for no limit.</summary>
    /// <value>The default value is <see langword="null"/> (idle connections stay open).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan? IdleTimeout
    {
        get;
        set
        {
            if (value is { } timeout)
            {
                CheckTimeout(timeout);
            }

            field = value;
        }
    }

    /// <summary>Gets or sets how long one frame's send may take; the connection closes when it expires.</summary>
    /// <value>The default value is 10 seconds.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan WriteTimeout
    {
        get;
        set
        {
            CheckTimeout(value);
            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how many stream chunks (<c>commbus.Subscribe</c>) may wait in front of a connection's writer.</summary>
    /// <value>The default value is 64.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int StreamCapacity
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 64;

    private static void CheckTimeout(TimeSpan value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, name);

        // Timers take at most 2^32 - 2 ms.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromMilliseconds(uint.MaxValue - 1), name);
    }

    /// <summary>Checks the rule that spans fields: a non-loopback address needs <see cref="AllowNonLoopback"/> and an <see cref="AuthToken"/>.</summary>
    /// <returns>Why the options are refused, or <see langword="null"/> when they are acceptable.</returns>
    internal string? CrossFieldError()
    {
        if (IPAddress.IsLoopback(Address))
        {
            return null;
        }

        if (!AllowNonLoopback)
        {
            return $"Refusing to listen on the non-loopback address {Address}: set AllowNonLoopback and an AuthToken to expose the kernel.";
        }

        return AuthToken is null ? $"Listening on the non-loopback address {Address} needs an AuthToken." : null;
    }
}
