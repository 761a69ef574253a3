namespace Jeeves;

/// <summary>
/// Formats and parses the wire's RFC 3339 timestamps (ipc.md §3.5): always written in UTC with a <c>Z</c> and as few
/// fractional digits as the value needs (none, 3, 6, or 7 for .NET's 100 ns ticks); read with any offset, which is
/// converted to UTC. A timestamp without an offset is refused.
/// </summary>
internal static class Rfc3339
{
    /// <summary>The longest formatted timestamp: <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>.</summary>
    public const int MaxLength = 28;

    /// <summary>Formats a timestamp in UTC.</summary>
    /// <param name="value">The timestamp; its offset is applied.</param>
    /// <returns>The text, such as <c>2026-01-01T00:00:00Z</c> or <c>2026-01-01T00:00:00.123Z</c>.</returns>
    public static string Format(DateTimeOffset value)
    {
        Span<char> chars = stackalloc char[MaxLength];
        int length = Format(value, chars);
        return new string(chars[..length]);
    }

    /// <summary>Formats a timestamp in UTC as UTF-16 code units.</summary>
    /// <param name="value">The timestamp; its offset is applied.</param>
    /// <param name="destination">At least <see cref="MaxLength"/> characters.</param>
    /// <returns>The number of characters written.</returns>
    public static int Format(DateTimeOffset value, Span<char> destination)
    {
        DateTime utc = value.UtcDateTime;
        long fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        Put(destination, 0, utc.Year, 4);
        destination[4] = '-';
        Put(destination, 5, utc.Month, 2);
        destination[7] = '-';
        Put(destination, 8, utc.Day, 2);
        destination[10] = 'T';
        Put(destination, 11, utc.Hour, 2);
        destination[13] = ':';
        Put(destination, 14, utc.Minute, 2);
        destination[16] = ':';
        Put(destination, 17, utc.Second, 2);
        int i = 19;
        if (fraction != 0)
        {
            destination[i++] = '.';
            if (fraction % TimeSpan.TicksPerMillisecond == 0)
            {
                Put(destination, i, (int)(fraction / TimeSpan.TicksPerMillisecond), 3);
                i += 3;
            }
            else if (fraction % TimeSpan.TicksPerMicrosecond == 0)
            {
                Put(destination, i, (int)(fraction / TimeSpan.TicksPerMicrosecond), 6);
                i += 6;
            }
            else
            {
                Put(destination, i, (int)fraction, 7);
                i += 7;
            }
        }

        destination[i++] = 'Z';
        return i;
    }

    /// <summary>Formats a timestamp in UTC as UTF-8 bytes.</summary>
    /// <param name="value">The timestamp; its offset is applied.</param>
    /// <param name="destination">At least <see cref="MaxLength"/> bytes.</param>
    /// <returns>The number of bytes written.</returns>
    public static int FormatUtf8(DateTimeOffset value, Span<byte> destination)
    {
        Span<char> chars = stackalloc char[MaxLength];
        int length = Format(value, chars);
        for (int i = 0; i < length; i++)
        {
            destination[i] = (byte)chars[i]; // ASCII only
        }

        return length;
    }

    /// <summary>
    /// Parses <c>YYYY-MM-DD"T"hh:mm:ss[.fraction]("Z"|±hh:mm)</c> (the <c>T</c> and <c>Z</c> in either case). Digits of
    /// the fraction beyond the seventh are dropped. A leap second (<c>:60</c>) is refused: .NET cannot represent it.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The instant, with offset zero, when parsing succeeds.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is an RFC 3339 date-time with an offset.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 20
            || !TryDigits(text, 0, 4, out int year) || text[4] != '-'
            || !TryDigits(text, 5, 2, out int month) || text[7] != '-'
            || !TryDigits(text, 8, 2, out int day) || (text[10] != 'T' && text[10] != 't')
            || !TryDigits(text, 11, 2, out int hour) || text[13] != ':'
            || !TryDigits(text, 14, 2, out int minute) || text[16] != ':'
            || !TryDigits(text, 17, 2, out int second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        int i = 19;
        long fraction = 0;
        if (text[i] == '.')
        {
            i++;
            int start = i;
            long scale = TimeSpan.TicksPerSecond;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                if (scale > 1)
                {
                    scale /= 10;
                    fraction += (text[i] - '0') * scale;
                }

                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        if (i >= text.Length)
        {
            return false;
        }

        long offsetTicks;
        char sign = text[i];
        if ((sign == 'Z' || sign == 'z') && i + 1 == text.Length)
        {
            offsetTicks = 0;
        }
        else if ((sign == '+' || sign == '-') && i + 6 == text.Length
            && TryDigits(text, i + 1, 2, out int offsetHours) && text[i + 3] == ':' && TryDigits(text, i + 4, 2, out int offsetMinutes)
            && offsetHours <= 23 && offsetMinutes <= 59)
        {
            offsetTicks = ((offsetHours * 60L) + offsetMinutes) * TimeSpan.TicksPerMinute * (sign == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        // Local time = UTC + offset, so UTC = local time - offset; the result must still be a DateTime.
        long ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fraction - offsetTicks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    private static void Put(Span<char> destination, int at, int number, int digits)
    {
        for (int k = at + digits - 1; k >= at; k--)
        {
            destination[k] = (char)('0' + (number % 10));
            number /= 10;
        }
    }

    private static bool TryDigits(ReadOnlySpan<char> text, int at, int count, out int number)
    {
        number = 0;
        for (int k = at; k < at + count; k++)
        {
            if (k >= text.Length || !char.IsAsciiDigit(text[k]))
            {
                return false;
            }

            number = (number * 10) + (text[k] - '0');
        }

        return true;
    }
}
