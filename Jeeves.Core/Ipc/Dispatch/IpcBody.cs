using System.Buffers;
using System.Text.Json.Nodes;
using MessagePack;

namespace Jeeves.Ipc;

/// <summary>
/// A request body as handlers read it: either a decoded <see cref="JsonObject"/>, or the body map's MessagePack bytes
/// (already checked by <see cref="WireRequestReader"/>), from which a handler decodes only the fields it reads. The
/// field readers follow <see cref="IpcFields"/> exactly: the last of duplicate keys wins, a field of the wrong type
/// counts as absent.
/// </summary>
internal readonly struct IpcBody
{
    private readonly JsonObject? _object;
    private readonly ReadOnlyMemory<byte> _map;

    private IpcBody(JsonObject? body, ReadOnlyMemory<byte> map)
    {
        _object = body;
        _map = map;
    }

    /// <summary>Wraps a decoded body; <see langword="null"/> reads as empty.</summary>
    public static implicit operator IpcBody(JsonObject? body) => new(body ?? [], default);

    /// <summary>Gets a value indicating whether the body is still encoded (it was not decoded as a whole).</summary>
    public bool IsEncoded => _object is null;

    /// <summary>Wraps an encoded body map that has been checked to decode (string keys, valid values, depth within the table's limit).</summary>
    public static IpcBody FromMessagePack(ReadOnlyMemory<byte> map) => new(null, map);

    /// <summary>The whole body, decoded (an empty body when the bytes are empty).</summary>
    public JsonObject ToObject()
    {
        if (_object is not null)
        {
            return _object;
        }

        return _map.IsEmpty ? [] : (JsonObject)WireValue.Decode(new ReadOnlySequence<byte>(_map))!;
    }

    /// <summary>The field's value, decoded; <see langword="null"/> when absent or JSON null.</summary>
    public JsonNode? Get(string name)
    {
        if (_object is not null)
        {
            return IpcFields.Get(_object, name);
        }

        if (_map.IsEmpty)
        {
            return null;
        }

        var reader = new MessagePackReader(_map);
        int count = reader.ReadMapHeader();
        long found = -1;
        for (int i = 0; i < count; i++)
        {
            bool match = KeyEquals(ref reader, name);
            if (match)
            {
                found = reader.Consumed;
            }

            reader.Skip();
        }

        if (found < 0)
        {
            return null;
        }

        var value = new MessagePackReader(_map[(int)found..]);
        return WireValue.Read(ref value);
    }

    /// <inheritdoc cref="IpcFields.RequireString(JsonObject, string)"/>
    public string RequireString(string name) => IpcFields.AsString(Get(name)) ?? throw IpcFields.Missing(name);

    /// <inheritdoc cref="IpcFields.OptionalString(JsonObject, string)"/>
    public string? OptionalString(string name) => IpcFields.AsString(Get(name));

    /// <inheritdoc cref="IpcFields.OptionalString(JsonObject, string, string)"/>
    public string OptionalString(string name, string defaultValue) => IpcFields.AsString(Get(name)) ?? defaultValue;

    /// <inheritdoc cref="IpcFields.RequirePid(JsonObject, string)"/>
    public ProcessId RequirePid(string name)
    {
        string text = RequireString(name);
        return text.Length == 0 ? throw KernelErrors.Validation("ProcessId cannot be empty") : new ProcessId(text);
    }

    /// <inheritdoc cref="IpcFields.OptionalBool(JsonObject, string, bool)"/>
    public bool OptionalBool(string name, bool defaultValue) => IpcFields.AsBool(Get(name)) ?? defaultValue;

    /// <inheritdoc cref="IpcFields.OptionalObject(JsonObject, string)"/>
    public JsonObject? OptionalObject(string name) => Get(name) as JsonObject;

    /// <inheritdoc cref="IpcFields.OptionalNonNegativeInt32(JsonObject, string, string)"/>
    public int? OptionalNonNegativeInt32(string name, string label) => IpcFields.NonNegativeInt32(Get(name), label);

    /// <inheritdoc cref="IpcFields.OptionalNonNegativeInt64(JsonObject, string, string)"/>
    public long? OptionalNonNegativeInt64(string name, string label) => IpcFields.NonNegativeInt64(Get(name), label);

    /// <summary>Reads a key (a checked string) and compares it with an ASCII name, without allocating.</summary>
    private static bool KeyEquals(ref MessagePackReader reader, string name)
    {
        if (!reader.TryReadStringSpan(out ReadOnlySpan<byte> key))
        {
            ReadOnlySequence<byte> sequence = reader.ReadStringSequence()!.Value;
            return Matches(sequence.ToArray(), name);
        }

        return Matches(key, name);

        static bool Matches(ReadOnlySpan<byte> key, string name)
        {
            if (!System.Text.Ascii.IsValid(name))
            {
                return System.Text.Encoding.UTF8.GetString(key) == name;
            }

            if (key.Length != name.Length)
            {
                return false;
            }

            // The names are ASCII: a non-ASCII byte never equals one of their characters.
            for (int i = 0; i < key.Length; i++)
            {
                if (key[i] != name[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
