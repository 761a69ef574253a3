using System.Globalization;
using System.Text.Json.Nodes;
using Jeeves.Runtime;

namespace Jeeves.Examples.HelloWorld;

/// <summary>The chatbot's two tools. Their catalog entries declare exactly the parameters the handlers accept.</summary>
internal static class ChatTools
{
    public static readonly ToolEntry GetTimeEntry = new()
    {
        Id = "get_time",
        Description = "Gets the current date and time",
        Parameters = [new ToolParameter("timezone", ToolParameterType.String, "An IANA time zone such as Europe/Paris", Default: "UTC")],
        Category = ToolCategory.Standalone,
    };

    public static readonly ToolEntry ListToolsEntry = new()
    {
        Id = "list_tools",
        Description = "Lists the tools and capabilities of this chatbot",
        Category = ToolCategory.Standalone,
    };

    public static ToolHandler GetTime(TimeProvider time) => (arguments, _) =>
    {
        string zoneId = arguments["timezone"]?.GetValue<string>() ?? "UTC";
        TimeZoneInfo zone;
        try
        {
            zone = zoneId == "UTC" ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (TimeZoneNotFoundException)
        {
            return ValueTask.FromResult(new JsonObject { ["status"] = "error", ["error"] = $"Unknown time zone '{zoneId}'" });
        }

        DateTimeOffset now = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone);
        return ValueTask.FromResult(new JsonObject
        {
            ["status"] = "success",
            ["datetime"] = now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["date"] = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["time"] = now.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            ["timezone"] = zoneId,
            ["day_of_week"] = now.DayOfWeek.ToString(),
            ["iso_format"] = now.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        });
    };

    public static ValueTask<JsonObject> ListTools(JsonObject arguments, CancellationToken cancellationToken) => ValueTask.FromResult(new JsonObject
    {
        ["status"] = "success",
        ["tools"] = new JsonArray(
            new JsonObject { ["id"] = GetTimeEntry.Id, ["description"] = GetTimeEntry.Description },
            new JsonObject { ["id"] = ListToolsEntry.Id, ["description"] = ListToolsEntry.Description }),
        ["capabilities"] = new JsonArray("explain the Jeeves.Core architecture", "define its concepts", "show how to get started", "tell the time"),
        ["count"] = 2,
    });
}
