using System.Text.Json.Nodes;
using Jeeves.Kernel.Tools;

namespace Jeeves.Tests.Kernel.Tools;

/// <summary>The tool catalog (reference tools/catalog.rs): registration, validation, defaults and the prompt.</summary>
public sealed class ToolCatalogTests
{
    private static ToolEntry SearchWeb(string description = "Search the web for information") => new()
    {
        Id = "search_web",
        Description = description,
        Parameters =
        [
            new ToolParameter("query", ToolParameterType.String, "What to search for"),
            new ToolParameter("max_results", ToolParameterType.Optional(ToolParameterType.Int), "How many", JsonValue.Create(10)),
        ],
        Category = ToolCategory.Network,
        RiskSemantic = RiskSemantic.ReadOnly,
        RiskSeverity = RiskSeverity.Low,
    };

    private static ToolCatalog WithSearch()
    {
        var catalog = new ToolCatalog();
        catalog.Register(SearchWeb(), replaceExisting: false);
        return catalog;
    }

    private static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();

    [Test]
    public void Register_New_FoundByIdAndCounted()
    {
        ToolCatalog catalog = WithSearch();

        Assert.That(catalog.Has("search_web"), Is.True);
        Assert.That(catalog.Has("unknown"), Is.False);
        Assert.That(catalog.Count, Is.EqualTo(1));
        Assert.That(catalog.Get("search_web")!.Description, Is.EqualTo("Search the web for information"));
    }

    [Test]
    public void Register_EmptyId_InvalidArgument()
    {
        var catalog = new ToolCatalog();

        var ex = Assert.Throws<KernelException>(() => catalog.Register(SearchWeb() with { Id = string.Empty }, replaceExisting: false));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo("validation error: Tool id cannot be empty"));
        Assert.That(catalog.Count, Is.Zero);
    }

    [Test]
    public void Register_SameDefinitionAgain_Unchanged()
    {
        ToolCatalog catalog = WithSearch();

        Assert.That(catalog.Register(SearchWeb(), replaceExisting: false), Is.EqualTo(ToolRegistration.Unchanged));
    }

    [Test]
    public void Register_DifferentDefinitionSameId_RefusedUnlessReplacing()
    {
        ToolCatalog catalog = WithSearch();

        var ex = Assert.Throws<KernelException>(() => catalog.Register(SearchWeb("Changed"), replaceExisting: false));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Assert.That(catalog.Get("search_web")!.Description, Is.EqualTo("Search the web for information"));
        Assert.That(catalog.Register(SearchWeb("Changed"), replaceExisting: true), Is.EqualTo(ToolRegistration.Replaced));
        Assert.That(catalog.Get("search_web")!.Description, Is.EqualTo("Changed"));
    }

    [Test]
    public void Register_MalformedEntries_InvalidArgumentCatalogUnchanged()
    {
        ToolCatalog catalog = WithSearch();
        ToolEntry[] bad =
        [
            SearchWeb() with { Id = "dup", Parameters = [new("a", ToolParameterType.String), new("a", ToolParameterType.Int)] },
            SearchWeb() with { Id = "badDefault", Parameters = [new("n", ToolParameterType.Int, Default: JsonValue.Create("ten"))] },
            SearchWeb() with { Id = "noName", Parameters = [new(string.Empty, ToolParameterType.String)] },
            SearchWeb() with { Id = "badEnum", Category = (ToolCategory)99 },
        ];

        foreach (ToolEntry entry in bad)
        {
            var ex = Assert.Throws<KernelException>(() => catalog.Register(entry, replaceExisting: true));
            Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument), entry.Id);
            Assert.That(ex.Message, Does.StartWith("validation error: Invalid tool entry: "), entry.Id);
        }

        Assert.That(catalog.List().Select(t => t.Id), Is.EqualTo(new[] { "search_web" }));
    }

    [Test]
    public void Validate_OptionalOmitted_Valid()
    {
        Assert.That(WithSearch().Validate("search_web", Json("""{"query":"cats"}""")), Is.Empty);
    }

    [Test]
    public void Validate_MissingRequired_OneError()
    {
        Assert.That(WithSearch().Validate("search_web", Json("{}")), Is.EqualTo(new[] { "Missing required parameter: query" }));
    }

    [Test]
    public void Validate_WrongType_ExpectedString()
    {
        Assert.That(WithSearch().Validate("search_web", Json("""{"query":42}""")), Is.EqualTo(new[] { "Parameter 'query': expected string, got number" }));
    }

    [Test]
    public void Validate_UnknownParameter_Reported()
    {
        Assert.That(WithSearch().Validate("search_web", Json("""{"query":"x","bogus":1}""")), Is.EqualTo(new[] { "Unknown parameter: bogus" }));
    }

    [Test]
    public void Validate_UnknownTool_NotFoundNotAList()
    {
        var ex = Assert.Throws<KernelException>(() => WithSearch().Validate("nope", Json("{}")));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(ex.Message, Is.EqualTo("not found: Unknown tool: nope"));
    }

    [TestCase("[]")]
    [TestCase("\"text\"")]
    [TestCase("null")]
    public void Validate_NotAnObject_InvalidArgument(string json)
    {
        var ex = Assert.Throws<KernelException>(() => WithSearch().Validate("search_web", JsonNode.Parse(json)));

        Assert.That(ex!.Message, Is.EqualTo("validation error: Parameters must be a JSON object"));
    }

    [Test]
    public void Validate_SeveralProblems_MissingFirstThenKeysInOrdinalOrder()
    {
        var catalog = new ToolCatalog();
        catalog.Register(new ToolEntry
        {
            Id = "t",
            Parameters = [new("z", ToolParameterType.String), new("a", ToolParameterType.Bool), new("m", ToolParameterType.Float)],
        }, replaceExisting: false);

        List<string> errors = catalog.Validate("t", Json("""{"m":"x","B":1,"a":"yes"}"""));

        Assert.That(errors, Is.EqualTo(new[]
        {
            "Missing required parameter: z",
            "Unknown parameter: B",
            "Parameter 'a': expected boolean, got string",
            "Parameter 'm': expected number, got string",
        }));
    }

    [Test]
    public void Validate_NullForRequiredWithDefault_TypeError()
    {
        Assert.That(WithSearch().Validate("search_web", Json("""{"query":null}""")), Is.EqualTo(new[] { "Parameter 'query': expected string, got null" }));
        Assert.That(WithSearch().Validate("search_web", Json("""{"query":"q","max_results":null}""")), Is.Empty, "optional accepts null");
    }

    [TestCase("5", true)]
    [TestCase("-7", true)]
    [TestCase("18446744073709551615", true)]
    [TestCase("5.0", false)]
    [TestCase("5e0", false)]
    [TestCase("5.5", false)]
    [TestCase("\"5\"", false)]
    public void Validate_Int_OnlyIntegerLiterals(string literal, bool valid)
    {
        var catalog = new ToolCatalog();
        catalog.Register(new ToolEntry { Id = "t", Parameters = [new("n", ToolParameterType.Int)] }, replaceExisting: false);

        Assert.That(catalog.Validate("t", Json($$"""{"n":{{literal}}}""")), valid ? Is.Empty : Has.Count.EqualTo(1));
    }

    [Test]
    public void Validate_IntBuiltInCode_IntegralClrTypesOnly()
    {
        var catalog = new ToolCatalog();
        catalog.Register(new ToolEntry { Id = "t", Parameters = [new("n", ToolParameterType.Int)] }, replaceExisting: false);

        Assert.That(catalog.Validate("t", new JsonObject { ["n"] = 5 }), Is.Empty);
        Assert.That(catalog.Validate("t", new JsonObject { ["n"] = 5L }), Is.Empty);
        Assert.That(catalog.Validate("t", new JsonObject { ["n"] = 5.0 }), Is.EqualTo(new[] { "Parameter 'n': expected integer, got number" }));
    }

    [Test]
    public void Validate_Enum_CaseSensitiveValuesAndStringsOnly()
    {
        var catalog = new ToolCatalog();
        catalog.Register(new ToolEntry { Id = "t", Parameters = [new("order", ToolParameterType.Enum("asc", "desc"))] }, replaceExisting: false);

        Assert.That(catalog.Validate("t", Json("""{"order":"asc"}""")), Is.Empty);
        Assert.That(catalog.Validate("t", Json("""{"order":"bad"}""")), Is.EqualTo(new[] { "Parameter 'order': invalid enum value 'bad', expected one of: asc, desc" }));
        Assert.That(catalog.Validate("t", Json("""{"order":"ASC"}""")), Has.Count.EqualTo(1));
        Assert.That(catalog.Validate("t", Json("""{"order":42}""")), Is.EqualTo(new[] { "Parameter 'order': expected string for enum, got number" }));
    }

    [Test]
    public void Validate_StringList_ArrayOfStringsOnly()
    {
        var catalog = new ToolCatalog();
        catalog.Register(new ToolEntry { Id = "t", Parameters = [new("tags", ToolParameterType.StringList)] }, replaceExisting: false);

        Assert.That(catalog.Validate("t", Json("""{"tags":["a","b"]}""")), Is.Empty);
        Assert.That(catalog.Validate("t", Json("""{"tags":[]}""")), Is.Empty);
        Assert.That(catalog.Validate("t", Json("""{"tags":[1,2]}""")), Is.EqualTo(new[] { "Parameter 'tags': expected string at index 0, got number" }));
        Assert.That(catalog.Validate("t", Json("""{"tags":"a"}""")), Is.EqualTo(new[] { "Parameter 'tags': expected array, got string" }));
        Assert.That(catalog.Validate("t", Json("""{"tags":{}}""")), Is.EqualTo(new[] { "Parameter 'tags': expected array, got object" }));
    }

    [Test]
    public void FillDefaults_Missing_FilledWithCopyOfDefault()
    {
        ToolCatalog catalog = WithSearch();
        JsonObject given = Json("""{"query":"x"}""");

        JsonNode? filled = catalog.FillDefaults("search_web", given);

        Assert.That(filled!.ToJsonString(), Is.EqualTo("""{"query":"x","max_results":10}"""));
        Assert.That(given.ContainsKey("max_results"), Is.False, "the argument is not modified");
    }

    [Test]
    public void FillDefaults_Provided_NotOverwrittenNullIncluded()
    {
        ToolCatalog catalog = WithSearch();

        Assert.That(catalog.FillDefaults("search_web", Json("""{"query":"x","max_results":5}"""))!["max_results"]!.GetValue<int>(), Is.EqualTo(5));
        Assert.That(catalog.FillDefaults("search_web", Json("""{"max_results":null}"""))!.ToJsonString(), Is.EqualTo("""{"max_results":null}"""));
    }

    [Test]
    public void FillDefaults_NotAnObject_ReturnedUnchangedAndUnknownToolNotFound()
    {
        ToolCatalog catalog = WithSearch();

        Assert.That(catalog.FillDefaults("search_web", JsonNode.Parse("[1]"))!.ToJsonString(), Is.EqualTo("[1]"));
        Assert.That(catalog.FillDefaults("search_web", null), Is.Null);
        Assert.That(Assert.Throws<KernelException>(() => catalog.FillDefaults("nope", null))!.Code, Is.EqualTo(KernelErrorCode.NotFound));
    }

    [Test]
    public void GeneratePrompt_ReferenceLineFormat()
    {
        Assert.That(WithSearch().GeneratePrompt(null), Is.EqualTo(
            "Available tools:\n- search_web(query: string, max_results?: integer?): Search the web for information"));
    }

    [Test]
    public void GeneratePrompt_FilterOfUnknownIdsOrEmptyCatalog_EmptyString()
    {
        Assert.That(WithSearch().GeneratePrompt(["nope"]), Is.Empty);
        Assert.That(new ToolCatalog().GeneratePrompt(null), Is.Empty);
    }

    [Test]
    public void GeneratePrompt_Filter_GivenOrderDuplicatesKeptUnknownSkipped()
    {
        var catalog = new ToolCatalog();
        catalog.Register(new ToolEntry { Id = "b", Description = "B" }, replaceExisting: false);
        catalog.Register(new ToolEntry { Id = "a", Description = "A", Parameters = [new("mode", ToolParameterType.Enum("x", "y")), new("tags", ToolParameterType.StringList, Default: new JsonArray())] }, replaceExisting: false);

        Assert.That(catalog.GeneratePrompt(null), Is.EqualTo("Available tools:\n- a(mode: enum(x|y), tags?: string[]): A\n- b(): B"));
        Assert.That(catalog.GeneratePrompt(["b", "zzz", "a", "b"]), Is.EqualTo("Available tools:\n- b(): B\n- a(mode: enum(x|y), tags?: string[]): A\n- b(): B"));
    }

    [Test]
    public void ToolEntry_RequiresConfirmation_HighAndCritical()
    {
        Assert.That(Enum.GetValues<RiskSeverity>().Where(s => SearchWeb() with { RiskSeverity = s } is { RequiresConfirmation: true }),
            Is.EqualTo(new[] { RiskSeverity.High, RiskSeverity.Critical }));
    }
}
