using Jeeves;
using Jeeves.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the <see cref="IChatClient"/> that a Jeeves runtime calls models through: OpenAI or an OpenAI-compatible
/// server, or the deterministic <see cref="MockChatClient"/>.
/// </summary>
/// <remarks>
/// The clients are registered without metering: the runtime wraps whatever <see cref="IChatClient"/> it resolves in a
/// <see cref="MeteringChatClient"/>. Each method registers nothing when an unkeyed <see cref="IChatClient"/> is already
/// registered, so the first registration wins.
/// </remarks>
public static class JeevesLlmBuilderExtensions
{
    /// <summary>
    /// Registers an OpenAI (or OpenAI-compatible) chat client as the unkeyed <see cref="IChatClient"/>, plus one keyed
    /// <see cref="IChatClient"/> per configured role (key: the role name), with their <see cref="LlmOptions"/>.
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="configure">Configures the options after the environment variables are applied, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// <para>
    /// The options are bound from the environment (<see cref="LlmOptions.ApplyEnvironment"/>; it overrides values
    /// configured earlier, for example from <c>appsettings.json</c> with <c>services.Configure&lt;LlmOptions&gt;</c>), then
    /// <paramref name="configure"/> runs, so code has the last word. They are validated when the host starts (or when a
    /// client is first resolved): a bad value, an unparsable variable, or a missing model fails with
    /// <see cref="OptionsValidationException"/> (or the <see cref="KernelException"/> that names the variable).
    /// </para>
    /// <para>
    /// The roles are those in <see cref="LlmOptions.Roles"/> once <paramref name="configure"/> has run; each gets a keyed
    /// client and has its per-role variables (<c>{ROLE}_MODEL</c>, <c>{ROLE}_TEMPERATURE</c>) applied before
    /// <paramref name="configure"/> runs. So <paramref name="configure"/> also runs once, on a scratch copy, during this
    /// call, and must be repeatable; and assigning a new <see cref="LlmRoleOptions"/> to a role replaces what the
    /// environment set for it, while <c>Roles.TryAdd</c> or changing the existing entry keeps it. Roles added later by
    /// other configuration get no keyed client; resolve the unkeyed one for them. With <see cref="LlmOptions.UseMock"/>
    /// set, every client is the one <see cref="MockChatClient"/> singleton.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static JeevesKernelBuilder AddOpenAIChatClient(this JeevesKernelBuilder builder, Action<LlmOptions>? configure = null) =>
        AddOpenAIChatClient(builder, configure, Environment.GetEnvironmentVariable);

    /// <summary>Registers a <see cref="MockChatClient"/> singleton as the unkeyed <see cref="IChatClient"/> and as the keyed one for every key.</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="script">Adds rules to the mock when it is created, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The mock is also registered as <see cref="MockChatClient"/>, to read its call log. It waits on the registered
    /// <see cref="TimeProvider"/>. Calling this method again registers nothing new, but its <paramref name="script"/>
    /// still runs, after the earlier ones.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static JeevesKernelBuilder AddMockChatClient(this JeevesKernelBuilder builder, Action<MockChatClient>? script = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        if (script is not null)
        {
            services.AddSingleton(new MockScript(script));
        }

        AddMockSingleton(services);
        services.TryAddSingleton<IChatClient>(static sp => sp.GetRequiredService<MockChatClient>());
        services.TryAddKeyedSingleton<IChatClient>(KeyedService.AnyKey, static (sp, _) => sp.GetRequiredService<MockChatClient>());
        return builder;
    }

    /// <summary>
    /// Registers the chat client the environment asks for: the mock when <c>MOCK_LLM_ENABLED</c> is true, 1 or yes, or
    /// when neither an API key (<c>JEEVES_LLM_API_KEY</c>, <c>OPENAI_API_KEY</c>) nor a base URL
    /// (<c>JEEVES_LLM_BASE_URL</c>) is set; otherwise an OpenAI client, as <see cref="AddOpenAIChatClient(JeevesKernelBuilder, Action{LlmOptions}?)"/> registers it.
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="KernelException">An environment variable cannot be parsed (<see cref="KernelErrorCode.InvalidArgument"/>); the message names it.</exception>
    public static JeevesKernelBuilder AddChatClientFromEnvironment(this JeevesKernelBuilder builder) =>
        AddChatClientFromEnvironment(builder, Environment.GetEnvironmentVariable);

    /// <summary>The testable form of <see cref="AddChatClientFromEnvironment(JeevesKernelBuilder)"/>, with the environment as a function.</summary>
    internal static JeevesKernelBuilder AddChatClientFromEnvironment(JeevesKernelBuilder builder, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var probe = new LlmOptions();
        probe.ApplyEnvironment(environment);
        bool mock = probe.UseMock || (string.IsNullOrEmpty(probe.ApiKey) && probe.Endpoint is null);
        return mock ? builder.AddMockChatClient() : AddOpenAIChatClient(builder, configure: null, environment);
    }

    /// <summary>The testable form of <see cref="AddOpenAIChatClient(JeevesKernelBuilder, Action{LlmOptions}?)"/>, with the environment as a function.</summary>
    internal static JeevesKernelBuilder AddOpenAIChatClient(JeevesKernelBuilder builder, Action<LlmOptions>? configure, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        string[] roles = ConfiguredRoles(configure, environment);
        OptionsBuilder<LlmOptions> options = services.AddOptions<LlmOptions>().Configure(o => o.ApplyEnvironment(environment, roles));
        if (configure is not null)
        {
            _ = options.Configure(configure);
        }

        _ = options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        AddMockSingleton(services);
        services.TryAddSingleton<IChatClient>(static sp => CreateClient(sp, role: null));
        foreach (string role in roles)
        {
            services.TryAddKeyedSingleton<IChatClient>(role, static (sp, key) => CreateClient(sp, (string)key!));
        }

        return builder;
    }

    private static string[] ConfiguredRoles(Action<LlmOptions>? configure, Func<string, string?> environment)
    {
        var scratch = new LlmOptions();
        try
        {
            scratch.ApplyEnvironment(environment);
        }
        catch (KernelException)
        {
            // A bad global variable is reported when the options are validated at start; the roles can still be listed.
        }

        configure?.Invoke(scratch);
        return [.. scratch.Roles.Keys];
    }

    private static IChatClient CreateClient(IServiceProvider services, string? role)
    {
        LlmOptions options = services.GetRequiredService<IOptions<LlmOptions>>().Value;
        return options.UseMock
            ? services.GetRequiredService<MockChatClient>()
            : OpenAIChatClientFactory.Create(options, role, services.GetRequiredService<TimeProvider>());
    }

    private static void AddMockSingleton(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp =>
        {
            var mock = new MockChatClient(sp.GetRequiredService<TimeProvider>());
            foreach (MockScript script in sp.GetServices<MockScript>())
            {
                script.Apply(mock);
            }

            return mock;
        });
    }

    /// <summary>A script registered by <see cref="AddMockChatClient"/>, run when the mock is created.</summary>
    private sealed class MockScript(Action<MockChatClient> apply)
    {
        public void Apply(MockChatClient mock) => apply(mock);
    }
}
