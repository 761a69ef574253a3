using System.Diagnostics.CodeAnalysis;

namespace Jeeves;

/// <summary>
/// Identifies a user request. Any non-empty string is valid; comparison is ordinal and case-sensitive.
/// </summary>
public readonly struct RequestId : IEquatable<RequestId>, IComparable<RequestId>
{
    private readonly string? _value;

    /// <summary>Initializes a new instance of the <see cref="RequestId"/> struct.</summary>
    /// <param name="value">The identifier; must not be null or empty.</param>
    /// <exception cref="KernelException">The value is null or empty (<see cref="KernelErrorCode.InvalidArgument"/>).</exception>
    public RequestId(string value)
    {
        _value = IdText.Require(value, nameof(RequestId));
    }

    /// <summary>Gets the identifier text, or the empty string for a default instance.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Gets a value indicating whether this is the default (empty, invalid) instance.</summary>
    public bool IsEmpty => string.IsNullOrEmpty(_value);

    /// <summary>Creates a new identifier from a random UUID v4 (lower-case, hyphenated).</summary>
    /// <returns>A new identifier.</returns>
    public static RequestId New() => new(RandomIds.NewGuid().ToString("D"));

    /// <summary>Attempts to create an identifier from text.</summary>
    /// <param name="value">The text.</param>
    /// <param name="id">The identifier when <paramref name="value"/> is non-empty.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> is non-empty.</returns>
    public static bool TryCreate([NotNullWhen(true)] string? value, out RequestId id)
    {
        id = string.IsNullOrEmpty(value) ? default : new RequestId(value);
        return !id.IsEmpty;
    }

    /// <inheritdoc/>
    public bool Equals(RequestId other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RequestId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc/>
    public int CompareTo(RequestId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc/>
    public override string ToString() => Value;

    /// <summary>Compares two identifiers for equality.</summary>
    /// <param name="left">The first identifier.</param>
    /// <param name="right">The second identifier.</param>
    /// <returns><see langword="true"/> when both have the same text.</returns>
    public static bool operator ==(RequestId left, RequestId right) => left.Equals(right);

    /// <summary>Compares two identifiers for inequality.</summary>
    /// <param name="left">The first identifier.</param>
    /// <param name="right">The second identifier.</param>
    /// <returns><see langword="true"/> when the texts differ.</returns>
    public static bool operator !=(RequestId left, RequestId right) => !left.Equals(right);

    /// <summary>Determines whether one identifier sorts before another (ordinal).</summary>
    /// <param name="left">The first identifier.</param>
    /// <param name="right">The second identifier.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> sorts first.</returns>
    public static bool operator <(RequestId left, RequestId right) => left.CompareTo(right) < 0;

    /// <summary>Determines whether one identifier sorts after another (ordinal).</summary>
    /// <param name="left">The first identifier.</param>
    /// <param name="right">The second identifier.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> sorts last.</returns>
    public static bool operator >(RequestId left, RequestId right) => left.CompareTo(right) > 0;

    /// <summary>Determines whether one identifier sorts before or equal to another (ordinal).</summary>
    /// <param name="left">The first identifier.</param>
    /// <param name="right">The second identifier.</param>
    /// <returns><see langword="true"/> unless <paramref name="left"/> sorts last.</returns>
    public static bool operator <=(RequestId left, RequestId right) => left.CompareTo(right) <= 0;

    /// <summary>Determines whether one identifier sorts after or equal to another (ordinal).</summary>
    /// <param name="left">The first identifier.</param>
    /// <param name="right">The second identifier.</param>
    /// <returns><see langword="true"/> unless <paramref name="left"/> sorts first.</returns>
    public static bool operator >=(RequestId left, RequestId right) => left.CompareTo(right) >= 0;
}
