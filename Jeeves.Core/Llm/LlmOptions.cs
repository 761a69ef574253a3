using System.Globalization;

namespace Jeeves.Llm;

/// <summary>
/// Represents the settings of the LLM clients: which model, where, with which key, how long to wait and how often to
/// retry, plus per-role overrides (<see cref="Roles"/>).
/// </summary>
/// <remarks>
/// <para>
/// Precedence, lowest first: the defaults below, then values bound from configuration (for example
/// <c>appsettings.json</c>), then the environment variables read by <see cref="ApplyEnvironment"/>, then values set in
/// code (the <c>configure</c> delegate of the hosting extensions). This keeps the reference rule that the environment
/// overrides settings, while code that sets a value explicitly has the last word.
/// </para>
/// <para>
/// The values are plain properties; <see cref="Validate"/> checks them all at once (the hosting extensions run it when
/// the application starts). Clients copy what they need when they are created, so changing the options afterwards has
/// no effect on them.
/// </para>
/// </remarks>
public sealed class LlmOptions
{
    /// <summary>The environment variable with the model name (<c>JEEVES_LLM_MODEL</c>).</summary>
    public const string ModelVariable = "JEEVES_LLM_MODEL";

    /// <summary>The environment variable with the OpenAI-compatible base URL (<c>JEEVES_LLM_BASE_URL</c>).</summary>
    public const string BaseUrlVariable = "JEEVES_LLM_BASE_URL";

    /// <summary>The environment variable with the API key (<c>JEEVES_LLM_API_KEY</c>).</summary>
    public const string ApiKeyVariable = "JEEVES_LLM_API_KEY";

    /// <summary>The environment variable read for the API key when <see cref="ApiKeyVariable"/> is not set (<c>OPENAI_API_KEY</c>).</summary>
    public const string OpenAIApiKeyVariable = "OPENAI_API_KEY";

    /// <summary>The environment variable with the network timeout in seconds, a decimal number (<c>JEEVES_LLM_TIMEOUT</c>).</summary>
    public const string TimeoutVariable = "JEEVES_LLM_TIMEOUT";

    /// <summary>The environment variable with the number of retries (<c>JEEVES_LLM_MAX_RETRIES</c>).</summary>
    public const string MaxRetriesVariable = "JEEVES_LLM_MAX_RETRIES";

    /// <summary>The environment variable that selects the deterministic mock (<c>MOCK_LLM_ENABLED</c>).</summary>
    public const string MockVariable = "MOCK_LLM_ENABLED";

    /// <summary>The shortest allowed <see cref="Timeout"/>: one second.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The longest allowed <see cref="Timeout"/>: 600 seconds.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(600);

    /// <summary>The largest allowed <see cref="MaxRetries"/>: 10.</summary>
    public const int MaxRetriesLimit = 10;

    /// <summary>The longest allowed <see cref="RetryDelay"/>: 60 seconds.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the model name sent with every request (for example <c>gpt-4o-mini</c> or <c>llama3.2</c>).</summary>
    /// <value>The default value is <see langword="null"/>; a real (not mock) client then fails to build.</value>
    public string? Model { get; set; }

    /// <summary>Gets or sets the base URL of an OpenAI-compatible server (for example <c>http://localhost:11434/v1</c>).</summary>
    /// <value>The default value is <see langword="null"/>: the OpenAI SDK's own endpoint (api.openai.com).</value>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the API key; when it is not set a placeholder is sent, which local servers accept.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the timeout of each network operation (one attempt, or one read of a stream). Valid from 1 to 600 seconds.</summary>
    /// <value>The default value is 120 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Gets or sets how many times a failed request is retried (transport errors, timeouts, 408, 429, 500, 502, 503
    /// and 504 responses). Valid from 0 to 10.
    /// </summary>
    /// <value>The default value is 3.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// Gets or sets the wait before the first retry; each further retry waits twice as long, and longer when the server
    /// asks for more with <c>retry-after-ms</c> or <c>Retry-After</c>. Valid from 0 to 60 seconds.
    /// </summary>
    /// <value>The default value is 0.8 seconds, the OpenAI SDK's own.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(0.8);

    /// <summary>Gets or sets a value indicating whether the deterministic <see cref="MockChatClient"/> answers instead of a server.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool UseMock { get; set; }

    /// <summary>Gets or sets the sampling temperature used when a call does not set one. Valid from 0 to 2.</summary>
    /// <value>The default value is <see langword="null"/>: the server's default.</value>
    public float? Temperature { get; set; }

    /// <summary>Gets or sets the most output tokens asked for when a call does not set a limit. Must be positive.</summary>
    /// <value>The default value is <see langword="null"/>: the server's default.</value>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Gets the per-role overrides, keyed by role name (case-insensitive).</summary>
    public IDictionary<string, LlmRoleOptions> Roles { get; } = new Dictionary<string, LlmRoleOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Applies the reference environment variables to these options. A variable that is not set, or set to an empty
    /// string, leaves its property unchanged.
    /// </summary>
    /// <param name="getVariable">Reads a variable by name, for example <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <param name="roles">Roles to read per-role variables for, besides those already in <see cref="Roles"/>; <see langword="null"/> for none.</param>
    /// <remarks>
    /// <para>Global variables: <see cref="ModelVariable"/> → <see cref="Model"/>; <see cref="BaseUrlVariable"/> →
    /// <see cref="Endpoint"/> (an absolute http or https URL); <see cref="ApiKeyVariable"/>, else
    /// <see cref="OpenAIApiKeyVariable"/> → <see cref="ApiKey"/>; <see cref="TimeoutVariable"/> (seconds, a decimal number
    /// with a dot) → <see cref="Timeout"/>; <see cref="MaxRetriesVariable"/> (an integer) → <see cref="MaxRetries"/>;
    /// <see cref="MockVariable"/> → <see cref="UseMock"/>, <see langword="true"/> exactly when the value is <c>true</c>,
    /// <c>1</c> or <c>yes</c> (any case).</para>
    /// <para>Per-role variables, where <c>{ROLE}</c> is the role name upper-cased with every character other than a
    /// letter or digit replaced by <c>_</c> (role <c>planner</c> reads <c>PLANNER_MODEL</c>): <c>{ROLE}_MODEL</c> →
    /// the role's <see cref="LlmRoleOptions.Model"/>; <c>{ROLE}_TEMPERATURE</c> → its
    /// <see cref="LlmRoleOptions.Temperature"/>. An unparsable per-role temperature is ignored: the role keeps the
    /// temperature it had (or inherits the global one). A role entry is created only when one of
    /// its variables applies.</para>
    /// <para>Values out of range are not rejected here; <see cref="Validate"/> reports them.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="getVariable"/> is <see langword="null"/>.</exception>
    /// <exception cref="KernelException">A global variable cannot be parsed (<see cref="KernelErrorCode.InvalidArgument"/>); the message names it. Nothing is changed then.</exception>
    public void ApplyEnvironment(Func<string, string?> getVariable, IEnumerable<string>? roles = null)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        string? Read(string name) => getVariable(name) is { Length: > 0 } value ? value : null;

        // Parse every global value before assigning any, so a bad variable leaves the options untouched.
        string? model = Read(ModelVariable);
        Uri? endpoint = Read(BaseUrlVariable) is { } url ? ParseUrl(url) : null;
        string? apiKey = Read(ApiKeyVariable) ?? Read(OpenAIApiKeyVariable);
        TimeSpan? timeout = Read(TimeoutVariable) is { } seconds ? ParseSeconds(seconds) : null;
        int? maxRetries = Read(MaxRetriesVariable) is { } retries ? ParseInteger(MaxRetriesVariable, retries) : null;
        bool? useMock = Read(MockVariable) is { } mock ? IsTrue(mock) : null;

        Model = model ?? Model;
        Endpoint = endpoint ?? Endpoint;
        ApiKey = apiKey ?? ApiKey;
        Timeout = timeout ?? Timeout;
        MaxRetries = maxRetries ?? MaxRetries;
        UseMock = useMock ?? UseMock;

        var names = new HashSet<string>(Roles.Keys, StringComparer.OrdinalIgnoreCase);
        if (roles is not null)
        {
            names.UnionWith(roles.Where(r => !string.IsNullOrWhiteSpace(r)));
        }

        foreach (string role in names)
        {
            string prefix = RoleVariablePrefix(role);
            string? roleModel = Read(prefix + "_MODEL");
            float? roleTemperature = Read(prefix + "_TEMPERATURE") is { } t
                && float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed)
                && float.IsFinite(parsed) ? parsed : null;
            if (roleModel is null && roleTemperature is null)
            {
                continue;
            }

            if (!Roles.TryGetValue(role, out LlmRoleOptions? entry))
            {
                entry = new LlmRoleOptions();
                Roles[role] = entry;
            }

            entry.Model = roleModel ?? entry.Model;
            entry.Temperature = roleTemperature ?? entry.Temperature;
        }
    }

    /// <summary>Gets the prefix of a role's environment variables: the role upper-cased, with every character other than a letter or digit replaced by <c>_</c>.</summary>
    /// <param name="role">The role name.</param>
    /// <returns>The prefix, for example <c>PLANNER</c>; <c>PLANNER_MODEL</c> is then the role's model variable.</returns>
    /// <exception cref="ArgumentException"><paramref name="role"/> is null or empty.</exception>
    public static string RoleVariablePrefix(string role)
    {
        ArgumentException.ThrowIfNullOrEmpty(role);
        return string.Create(role.Length, role, static (span, r) =>
        {
            for (int i = 0; i < r.Length; i++)
            {
                char c = r[i];
                span[i] = char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_';
            }
        });
    }

    /// <summary>Creates the effective settings of a role: a copy of these options with the role's overrides applied and no <see cref="Roles"/>.</summary>
    /// <param name="role">The role, or <see langword="null"/> for the global settings. A role without an entry in <see cref="Roles"/> gets the global settings.</param>
    /// <returns>A new, independent options object.</returns>
    public LlmOptions ForRole(string? role)
    {
        LlmRoleOptions? overrides = role is not null && Roles.TryGetValue(role, out LlmRoleOptions? found) ? found : null;
        return new LlmOptions
        {
            Model = NonEmpty(overrides?.Model) ?? Model,
            Endpoint = overrides?.Endpoint ?? Endpoint,
            ApiKey = NonEmpty(overrides?.ApiKey) ?? ApiKey,
            Timeout = overrides?.Timeout ?? Timeout,
            MaxRetries = MaxRetries,
            RetryDelay = RetryDelay,
            UseMock = UseMock,
            Temperature = overrides?.Temperature ?? Temperature,
            MaxOutputTokens = overrides?.MaxOutputTokens ?? MaxOutputTokens,
        };
    }

    /// <summary>Checks every setting, the roles' included.</summary>
    /// <exception cref="KernelException">A setting is out of range (<see cref="KernelErrorCode.InvalidArgument"/>); the message names every bad field and its rule.</exception>
    /// <remarks>A missing <see cref="Model"/> is not an error here, because the mock needs none; building a real client checks it.</remarks>
    public void Validate()
    {
        IReadOnlyList<string> errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            throw KernelErrors.Validation(string.Join("; ", errors));
        }
    }

    /// <summary>Lists the broken rules, each naming its field; empty when the options are valid.</summary>
    internal IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        const string Name = nameof(LlmOptions);
        CheckTimeout(errors, $"{Name}.{nameof(Timeout)}", Timeout);
        if (MaxRetries is < 0 or > MaxRetriesLimit)
        {
            errors.Add(Invariant($"{Name}.{nameof(MaxRetries)} must be between 0 and {MaxRetriesLimit}; was {MaxRetries}."));
        }

        if (RetryDelay < TimeSpan.Zero || RetryDelay > MaxRetryDelay)
        {
            errors.Add(Invariant($"{Name}.{nameof(RetryDelay)} must be between 0 and {MaxRetryDelay.TotalSeconds} seconds; was {RetryDelay.TotalSeconds} seconds."));
        }

        CheckShared(errors, Name, Endpoint, Temperature, MaxOutputTokens);
        foreach (KeyValuePair<string, LlmRoleOptions> pair in Roles)
        {
            string field = $"{Name}.{nameof(Roles)}[{pair.Key}]";
            if (string.IsNullOrWhiteSpace(pair.Key))
            {
                errors.Add($"{Name}.{nameof(Roles)}: a role name must not be empty.");
            }

            if (pair.Value is null)
            {
                errors.Add($"{field} must not be null.");
                continue;
            }

            if (pair.Value.Timeout is { } timeout)
            {
                CheckTimeout(errors, $"{field}.{nameof(LlmRoleOptions.Timeout)}", timeout);
            }

            CheckShared(errors, field, pair.Value.Endpoint, pair.Value.Temperature, pair.Value.MaxOutputTokens);
        }

        return errors;
    }

    private static void CheckTimeout(List<string> errors, string field, TimeSpan timeout)
    {
        if (timeout < MinTimeout || timeout > MaxTimeout)
        {
            errors.Add(Invariant($"{field} must be between {MinTimeout.TotalSeconds} and {MaxTimeout.TotalSeconds} seconds; was {timeout.TotalSeconds} seconds."));
        }
    }

    private static void CheckShared(List<string> errors, string owner, Uri? endpoint, float? temperature, int? maxOutputTokens)
    {
        if (endpoint is not null && !IsHttpUrl(endpoint))
        {
            errors.Add($"{owner}.{nameof(Endpoint)} must be an absolute http or https URL; was '{endpoint.OriginalString}'.");
        }

        if (temperature is { } t && !(t >= 0 && t <= 2))
        {
            errors.Add(Invariant($"{owner}.{nameof(Temperature)} must be between 0 and 2; was {t}."));
        }

        if (maxOutputTokens is < 1)
        {
            errors.Add(Invariant($"{owner}.{nameof(MaxOutputTokens)} must be positive; was {maxOutputTokens}."));
        }
    }

    private static bool IsHttpUrl(Uri uri) =>
        uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static Uri ParseUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) && IsHttpUrl(uri)
            ? uri
            : throw KernelErrors.Validation($"{BaseUrlVariable} must be an absolute http or https URL; was '{value}'.");

    private static TimeSpan ParseSeconds(string value)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            && double.IsFinite(seconds) && seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        throw KernelErrors.Validation($"{TimeoutVariable} must be a number of seconds such as 120 or 2.5; was '{value}'.");
    }

    private static int ParseInteger(string variable, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : throw KernelErrors.Validation($"{variable} must be an integer; was '{value}'.");

    private static bool IsTrue(string value) =>
        value.Trim() is var v
        && (v.Equals("true", StringComparison.OrdinalIgnoreCase) || v == "1" || v.Equals("yes", StringComparison.OrdinalIgnoreCase));

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
