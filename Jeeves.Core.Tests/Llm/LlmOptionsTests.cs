using Jeeves.Llm;

namespace Jeeves.Tests.Llm;

/// <summary>LLM settings: defaults, validation, the reference environment names, and per-role resolution.</summary>
public sealed class LlmOptionsTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.TryGetValue(name, out string? value) ? value : null;
    }

    [Test]
    public void Defaults_AreTheDocumentedOnes_AndValid()
    {
        var options = new LlmOptions();

        Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(120)));
        Assert.That(options.MaxRetries, Is.EqualTo(3));
        Assert.That(options.RetryDelay, Is.EqualTo(TimeSpan.FromSeconds(0.8)));
        Assert.That(options.UseMock, Is.False);
        Assert.That((options.Model, options.Endpoint, options.ApiKey, options.Temperature, options.MaxOutputTokens), Is.EqualTo(((string?)null, (Uri?)null, (string?)null, (float?)null, (int?)null)));
        Assert.That(options.Roles, Is.Empty);
        Assert.DoesNotThrow(options.Validate);
    }

    [TestCase(0.999, false)]
    [TestCase(1.0, true)]
    [TestCase(600.0, true)]
    [TestCase(600.001, false)]
    public void Validate_Timeout_MustBeBetween1And600Seconds(double seconds, bool valid)
    {
        var options = new LlmOptions { Timeout = TimeSpan.FromSeconds(seconds) };

        if (valid)
        {
            Assert.DoesNotThrow(options.Validate);
        }
        else
        {
            KernelException? error = Assert.Throws<KernelException>(options.Validate);
            Assert.That(error?.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
            Assert.That(error?.Message, Does.Contain("LlmOptions.Timeout must be between 1 and 600 seconds"));
        }
    }

    [TestCase(-1, false)]
    [TestCase(0, true)]
    [TestCase(10, true)]
    [TestCase(11, false)]
    public void Validate_MaxRetries_MustBeBetween0And10(int retries, bool valid)
    {
        var options = new LlmOptions { MaxRetries = retries };

        if (valid)
        {
            Assert.DoesNotThrow(options.Validate);
        }
        else
        {
            Assert.That(Assert.Throws<KernelException>(options.Validate)?.Message, Does.Contain("LlmOptions.MaxRetries must be between 0 and 10; was " + retries));
        }
    }

    [Test]
    public void Validate_ReportsEveryBadField_RolesIncluded()
    {
        var options = new LlmOptions
        {
            Endpoint = new Uri("ftp://example.test/v1"),
            Temperature = 2.5f,
            MaxOutputTokens = 0,
            RetryDelay = TimeSpan.FromMinutes(2),
        };
        options.Roles["planner"] = new LlmRoleOptions { Timeout = TimeSpan.Zero, Temperature = -1 };

        string message = Assert.Throws<KernelException>(options.Validate)!.Message;

        Assert.That(message, Does.Contain("LlmOptions.Endpoint must be an absolute http or https URL"));
        Assert.That(message, Does.Contain("LlmOptions.Temperature must be between 0 and 2; was 2.5"));
        Assert.That(message, Does.Contain("LlmOptions.MaxOutputTokens must be positive"));
        Assert.That(message, Does.Contain("LlmOptions.RetryDelay must be between 0 and 60 seconds"));
        Assert.That(message, Does.Contain("LlmOptions.Roles[planner].Timeout"));
        Assert.That(message, Does.Contain("LlmOptions.Roles[planner].Temperature"));
    }

    [Test]
    public void ApplyEnvironment_ReadsEveryGlobalVariable()
    {
        var options = new LlmOptions();

        options.ApplyEnvironment(Env(
            ("JEEVES_LLM_MODEL", "llama3.2"),
            ("JEEVES_LLM_BASE_URL", "http://localhost:11434/v1"),
            ("JEEVES_LLM_API_KEY", "ollama"),
            ("OPENAI_API_KEY", "ignored"),
            ("JEEVES_LLM_TIMEOUT", "2.5"),
            ("JEEVES_LLM_MAX_RETRIES", "7"),
            ("MOCK_LLM_ENABLED", "false")));

        Assert.That(options.Model, Is.EqualTo("llama3.2"));
        Assert.That(options.Endpoint, Is.EqualTo(new Uri("http://localhost:11434/v1")));
        Assert.That(options.ApiKey, Is.EqualTo("ollama"));
        Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2.5)));
        Assert.That(options.MaxRetries, Is.EqualTo(7));
        Assert.That(options.UseMock, Is.False);
    }

    [Test]
    public void ApplyEnvironment_FallsBackToOpenAIApiKey()
    {
        var options = new LlmOptions();

        options.ApplyEnvironment(Env(("OPENAI_API_KEY", "sk-test")));

        Assert.That(options.ApiKey, Is.EqualTo("sk-test"));
    }

    [TestCase("true", true)]
    [TestCase("TRUE", true)]
    [TestCase("1", true)]
    [TestCase("Yes", true)]
    [TestCase("on", false)]
    [TestCase("0", false)]
    [TestCase("no", false)]
    public void ApplyEnvironment_MockEnabled_AcceptsTrueOneYes(string value, bool expected)
    {
        var options = new LlmOptions { UseMock = !expected };

        options.ApplyEnvironment(Env(("MOCK_LLM_ENABLED", value)));

        Assert.That(options.UseMock, Is.EqualTo(expected));
    }

    [Test]
    public void ApplyEnvironment_UnsetOrEmptyVariables_KeepTheCurrentValues()
    {
        var options = new LlmOptions { Model = "configured", Timeout = TimeSpan.FromSeconds(30), UseMock = true };

        options.ApplyEnvironment(Env(("JEEVES_LLM_MODEL", string.Empty), ("MOCK_LLM_ENABLED", string.Empty)));

        Assert.That(options.Model, Is.EqualTo("configured"));
        Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(options.UseMock, Is.True);
    }

    [TestCase("JEEVES_LLM_TIMEOUT", "soon")]
    [TestCase("JEEVES_LLM_TIMEOUT", "NaN")]
    [TestCase("JEEVES_LLM_TIMEOUT", "-3")]
    [TestCase("JEEVES_LLM_MAX_RETRIES", "2.5")]
    [TestCase("JEEVES_LLM_MAX_RETRIES", "many")]
    [TestCase("JEEVES_LLM_BASE_URL", "localhost:11434")]
    [TestCase("JEEVES_LLM_BASE_URL", "not a url")]
    public void ApplyEnvironment_UnparsableGlobalValue_FailsNamingTheVariable_AndChangesNothing(string name, string value)
    {
        var options = new LlmOptions();

        KernelException? error = Assert.Throws<KernelException>(() => options.ApplyEnvironment(Env(("JEEVES_LLM_MODEL", "m"), (name, value))));

        Assert.That(error?.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(error?.Message, Does.Contain(name));
        Assert.That(options.Model, Is.Null, "nothing is applied when one variable is bad");
    }

    [Test]
    public void ApplyEnvironment_OutOfRangeValues_AreLeftToValidate()
    {
        var options = new LlmOptions();

        options.ApplyEnvironment(Env(("JEEVES_LLM_TIMEOUT", "0.5"), ("JEEVES_LLM_MAX_RETRIES", "99")));

        Assert.That(Assert.Throws<KernelException>(options.Validate)?.Message, Does.Contain("LlmOptions.Timeout").And.Contain("LlmOptions.MaxRetries"));
    }

    [Test]
    public void ApplyEnvironment_RoleVariables_ApplyToConfiguredAndNamedRoles()
    {
        var options = new LlmOptions();
        options.Roles["planner"] = new LlmRoleOptions { Temperature = 0.3f };

        options.ApplyEnvironment(
            Env(("PLANNER_MODEL", "gpt-4o-mini"), ("PLANNER_TEMPERATURE", "0.1"), ("FAST_PATH_MODEL", "small"), ("IDLE_MODEL", string.Empty)),
            roles: ["fast-path", "idle"]);

        Assert.That(options.Roles["planner"].Model, Is.EqualTo("gpt-4o-mini"));
        Assert.That(options.Roles["planner"].Temperature, Is.EqualTo(0.1f));
        Assert.That(options.Roles["fast-path"].Model, Is.EqualTo("small"));
        Assert.That(options.Roles.ContainsKey("idle"), Is.False, "a role is created only when one of its variables applies");
    }

    [Test]
    public void ApplyEnvironment_UnparsableRoleTemperature_IsIgnored()
    {
        var options = new LlmOptions();
        options.Roles["planner"] = new LlmRoleOptions { Temperature = 0.3f };

        options.ApplyEnvironment(Env(("PLANNER_TEMPERATURE", "warm"), ("RESPOND_TEMPERATURE", "hot")), roles: ["respond"]);

        Assert.That(options.Roles["planner"].Temperature, Is.EqualTo(0.3f));
        Assert.That(options.Roles.ContainsKey("respond"), Is.False);
    }

    [TestCase("planner", "PLANNER")]
    [TestCase("fast-path", "FAST_PATH")]
    [TestCase("Respond2", "RESPOND2")]
    public void RoleVariablePrefix_UpperCasesAndReplacesOtherCharacters(string role, string prefix) =>
        Assert.That(LlmOptions.RoleVariablePrefix(role), Is.EqualTo(prefix));

    [Test]
    public void ForRole_AppliesTheRoleOverrides_AndFallsBackToTheGlobalValues()
    {
        var options = new LlmOptions
        {
            Model = "global",
            Endpoint = new Uri("http://127.0.0.1:9/v1"),
            ApiKey = "k",
            Temperature = 0.7f,
            MaxOutputTokens = 100,
            MaxRetries = 2,
        };
        options.Roles["Planner"] = new LlmRoleOptions { Model = "planner-model", Timeout = TimeSpan.FromSeconds(30), MaxOutputTokens = 5 };

        LlmOptions planner = options.ForRole("planner");
        LlmOptions unknown = options.ForRole("nobody");
        LlmOptions global = options.ForRole(null);

        Assert.That((planner.Model, planner.Timeout, planner.MaxOutputTokens, planner.Temperature, planner.ApiKey, planner.MaxRetries),
            Is.EqualTo(("planner-model", TimeSpan.FromSeconds(30), (int?)5, (float?)0.7f, "k", 2)));
        Assert.That(planner.Roles, Is.Empty);
        Assert.That((unknown.Model, unknown.MaxOutputTokens), Is.EqualTo(("global", (int?)100)));
        Assert.That(global.Endpoint, Is.EqualTo(options.Endpoint));
        Assert.That(global, Is.Not.SameAs(options));
    }
}
