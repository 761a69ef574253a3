using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Jeeves.Examples.Gateway.Http;

/// <summary>Reads a JSON object body; anything else is a validation failure (422), not a server error.</summary>
internal static class JsonBody
{
    public static async Task<(JsonObject? Body, IResult? Failure)> ReadObjectAsync(HttpRequest request, bool required, CancellationToken cancellationToken)
    {
        JsonNode? node;
        try
        {
            node = request.ContentLength == 0 ? null : await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return (null, Invalid("JSON decode error", "json_invalid"));
        }

        return node switch
        {
            JsonObject o => (o, null),
            null when !required => (new JsonObject(), null),
            null => (null, Invalid("Field required", "missing")),
            _ => (null, Invalid("Input should be a valid dictionary", "dict_type")),
        };
    }

    /// <summary>Reads an optional string member; a value of another type is reported and read as null.</summary>
    public static string? String(JsonObject body, string name, RequestValidator problems)
    {
        JsonNode? node = body[name];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.TryGetValue(out string? s))
        {
            return s;
        }

        problems.Add("body", name, "Input should be a valid string", "string_type");
        return null;
    }

    public static bool? Bool(JsonObject body, string name, RequestValidator problems)
    {
        JsonNode? node = body[name];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.TryGetValue(out bool b))
        {
            return b;
        }

        problems.Add("body", name, "Input should be a valid boolean", "bool_type");
        return null;
    }

    private static IResult Invalid(string message, string type) =>
        Results.Json(new { detail = new[] { new ValidationProblem(["body"], message, type) } }, statusCode: StatusCodes.Status422UnprocessableEntity);
}
