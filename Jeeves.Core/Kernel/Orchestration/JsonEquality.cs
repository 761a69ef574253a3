using System.Text.Json;

namespace Jeeves.Kernel.Orchestration;

/// <summary>
/// Structural JSON equality for routing: objects as unordered key sets, arrays in order, no coercion between kinds,
/// and numbers compared by value (<c>1 == 1.0</c>, unlike the reference).
/// </summary>
internal static class JsonEquality
{
    public static bool Equal(JsonElement a, JsonElement b)
    {
        JsonValueKind kind = a.ValueKind;
        if (kind != b.ValueKind)
        {
            return false;
        }

        switch (kind)
        {
            case JsonValueKind.Number:
                if (a.TryGetDecimal(out decimal da) && b.TryGetDecimal(out decimal db))
                {
                    return da == db;
                }

                return a.GetDouble().Equals(b.GetDouble());
            case JsonValueKind.String:
                return a.ValueEquals(b.GetString());
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }

                using (JsonElement.ArrayEnumerator ea = a.EnumerateArray(), eb = b.EnumerateArray())
                {
                    while (ea.MoveNext() && eb.MoveNext())
                    {
                        if (!Equal(ea.Current, eb.Current))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case JsonValueKind.Object:
                int count = 0;
                foreach (JsonProperty p in a.EnumerateObject())
                {
                    count++;
                    if (!b.TryGetProperty(p.Name, out JsonElement other) || !Equal(p.Value, other))
                    {
                        return false;
                    }
                }

                foreach (JsonProperty _ in b.EnumerateObject())
                {
                    count--;
                }

                return count == 0;
            default:
                // Null, True, False, Undefined: the kinds already match.
                return true;
        }
    }
}
