namespace Jeeves.Ipc;

/// <summary>
/// Configures a <see cref="TcpKernelClient"/>.
/// </summary>
public sealed class TcpClientOptions
{
    private string? _authToken;
    private TimeSpan _requestTimeout = TimeSpan.FromSeconds(30);
    private int _maxFrameBytes = FrameLayout.DefaultMaxFrameBytes;

    /// <summary>Gets or sets the host's token; when set, every connection first sends <c>auth</c>/<c>Authenticate</c> with it. Default <see langword="null"/>.</summary>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public string? AuthToken
    {
        get => _authToken;
        set
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrEmpty(value);
            }

            _authToken = value;
        }
    }

    /// <summary>Gets or sets how long a call waits for its answer before it fails with <see cref="KernelErrorCode.Timeout"/>; default 30 s, <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (other than infinite).</exception>
    public TimeSpan RequestTimeout
    {
        get => _requestTimeout;
        set
        {
            if (value != Timeout.InfiniteTimeSpan)
            {
                ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
                ArgumentOutOfRangeException.ThrowIfGreaterThan(value.TotalMilliseconds, int.MaxValue - 1, nameof(value));
            }

            _requestTimeout = value;
        }
    }

    /// <summary>Gets or sets the largest frame, type byte and payload, the client sends or accepts; default 5 MiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above the codec's limit.</exception>
    public int MaxFrameBytes
    {
        get => _maxFrameBytes;
        set
        {
            FrameReader.CheckMaxFrameBytes(value);
            _maxFrameBytes = value;
        }
    }

    internal TcpClientOptions Clone() => new() { _authToken = _authToken, _requestTimeout = _requestTimeout, _maxFrameBytes = _maxFrameBytes };
}
