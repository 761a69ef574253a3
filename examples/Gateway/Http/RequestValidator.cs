using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Jeeves.Examples.Gateway.Http;

/// <summary>
/// Reads and checks query parameters, collecting every problem, so a bad request gets one 422 with a <c>detail</c>
/// array (<c>loc</c>, <c>msg</c>, <c>type</c>) in the reference's shape (spec §2.6).
/// </summary>
internal sealed class RequestValidator(HttpRequest request)
{
    public const int MaxUserIdLength = 255;
    public const int MaxMessageLength = 10_000;

    private readonly List<ValidationProblem> _problems = [];

    public bool IsValid => _problems.Count == 0;

    public IResult Failure() => Results.Json(new { detail = _problems }, statusCode: StatusCodes.Status422UnprocessableEntity);

    public string UserId() => RequiredString("user_id", MaxUserIdLength);

    public string RequiredString(string name, int maxLength, string location = "query")
    {
        string? value = request.Query[name];
        if (value is null)
        {
            Add(location, name, "Field required", "missing");
            return string.Empty;
        }

        return CheckLength(location, name, value, 1, maxLength) ?? string.Empty;
    }

    public string? OptionalString(string name, int maxLength, int minLength = 0)
    {
        string? value = request.Query[name];
        return value is null ? null : CheckLength("query", name, value, minLength, maxLength);
    }

    public int Int(string name, int defaultValue, int min, int max)
    {
        string? text = request.Query[name];
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            Add("query", name, "Input should be a valid integer", "int_parsing");
            return defaultValue;
        }

        if (value < min)
        {
            Add("query", name, $"Input should be greater than or equal to {min}", "greater_than_equal");
        }
        else if (value > max)
        {
            Add("query", name, $"Input should be less than or equal to {max}", "less_than_equal");
        }

        return value;
    }

    public bool Bool(string name, bool defaultValue)
    {
        string? text = request.Query[name];
        if (text is null)
        {
            return defaultValue;
        }

        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on":
                return true;
            case "false" or "0" or "no" or "off":
                return false;
            default:
                Add("query", name, "Input should be a valid boolean", "bool_parsing");
                return defaultValue;
        }
    }

    public string? CheckLength(string location, string name, string value, int min, int max)
    {
        if (value.Length < min)
        {
            Add(location, name, $"String should have at least {min} character{(min == 1 ? "" : "s")}", "string_too_short");
            return null;
        }

        if (value.Length > max)
        {
            Add(location, name, $"String should have at most {max} characters", "string_too_long");
            return null;
        }

        return value;
    }

    public void Add(string location, string name, string message, string type) =>
        _problems.Add(new ValidationProblem([location, name], message, type));
}

/// <summary>One validation problem: where (<c>loc</c>), what (<c>msg</c>) and its kind (<c>type</c>).</summary>
internal sealed record ValidationProblem(IReadOnlyList<string> Loc, string Msg, string Type);
