using Jeeves.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Llm;

/// <summary>Registration of the chat clients on the kernel builder (Hosting/JeevesLlmBuilderExtensions).</summary>
public sealed class JeevesLlmBuilderExtensionsTests
{
    private static readonly ChatMessage[] s_prompt = [new(ChatRole.User, "Hello?")];

    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.TryGetValue(name, out string? value) ? value : null;
    }

    [Test]
    public async Task AddOpenAIChatClient_RegistersTheClient_AndOneKeyedClientPerRole()
    {
        // Arrange
        await using var server = await OpenAICompatibleServer.StartAsync();
        var services = new ServiceCollection();
        JeevesKernelBuilder builder = services.AddJeevesKernel();
        JeevesLlmBuilderExtensions.AddOpenAIChatClient(
            builder,
            o =>
            {
                o.Endpoint = server.BaseUrl;
                o.RetryDelay = TimeSpan.Zero;
                o.Roles["respond"] = new LlmRoleOptions { Temperature = 0.5f };
                o.Roles.TryAdd("planner", new LlmRoleOptions());
            },
            Env(("JEEVES_LLM_MODEL", "env-model"), ("PLANNER_MODEL", "planner-model"), ("RESPOND_MODEL", "replaced-by-code")));
        await using ServiceProvider provider = services.BuildServiceProvider();

        // Act
        IChatClient client = provider.GetRequiredService<IChatClient>();
        await client.GetResponseAsync(s_prompt);
        string? globalModel = server.LastCompletion.Body?["model"]?.GetValue<string>();
        await provider.GetRequiredKeyedService<IChatClient>("planner").GetResponseAsync(s_prompt);
        string? plannerModel = server.LastCompletion.Body?["model"]?.GetValue<string>();
        await provider.GetRequiredKeyedService<IChatClient>("respond").GetResponseAsync(s_prompt);
        double? respondTemperature = server.LastCompletion.Body?["temperature"]?.GetValue<double>();
        string? respondModel = server.LastCompletion.Body?["model"]?.GetValue<string>();

        // Assert
        Assert.That(globalModel, Is.EqualTo("env-model"));
        Assert.That(plannerModel, Is.EqualTo("planner-model"));
        Assert.That(respondTemperature, Is.EqualTo(0.5).Within(1e-6));
        Assert.That(respondModel, Is.EqualTo("env-model"), "assigning a new role entry in code replaces what the environment set");
        Assert.That(provider.GetKeyedService<IChatClient>("unconfigured"), Is.Null);
        Assert.That(provider.GetRequiredService<IChatClient>(), Is.SameAs(client));
        Assert.That(client, Is.Not.InstanceOf<MeteringChatClient>(), "the runtime adds metering");
    }

    [Test]
    public async Task AddOpenAIChatClient_ConfigureWinsOverTheEnvironment_WhichWinsOverEarlierSettings()
    {
        var services = new ServiceCollection();
        services.Configure<LlmOptions>(o =>
        {
            o.Model = "from-settings";
            o.MaxRetries = 1;
            o.ApiKey = "settings-key";
        });
        JeevesLlmBuilderExtensions.AddOpenAIChatClient(
            services.AddJeevesKernel(),
            o => o.MaxRetries = 5,
            Env(("JEEVES_LLM_MODEL", "from-env"), ("JEEVES_LLM_MAX_RETRIES", "2")));
        await using ServiceProvider provider = services.BuildServiceProvider();

        LlmOptions options = provider.GetRequiredService<IOptions<LlmOptions>>().Value;

        Assert.That(options.Model, Is.EqualTo("from-env"));
        Assert.That(options.MaxRetries, Is.EqualTo(5));
        Assert.That(options.ApiKey, Is.EqualTo("settings-key"));
    }

    [Test]
    public async Task AddOpenAIChatClient_WithoutModel_FailsWhenTheHostStarts()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        JeevesLlmBuilderExtensions.AddOpenAIChatClient(builder.Services.AddJeevesKernel(), configure: null, Env());
        using IHost host = builder.Build();

        OptionsValidationException? error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(error?.Message, Does.Contain("No LLM model configured. Set JEEVES_LLM_MODEL"));
        await host.StopAsync();
    }

    [Test]
    public async Task AddOpenAIChatClient_WithBadOptions_FailsWhenTheHostStarts_NamingTheField()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        JeevesLlmBuilderExtensions.AddOpenAIChatClient(builder.Services.AddJeevesKernel(), o => o.MaxRetries = 50, Env(("JEEVES_LLM_MODEL", "m")));
        using IHost host = builder.Build();

        OptionsValidationException? error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(error?.Message, Does.Contain("LlmOptions.MaxRetries"));
        await host.StopAsync();
    }

    [Test]
    public async Task AddOpenAIChatClient_UseMock_ResolvesOneMockForEveryClient()
    {
        var services = new ServiceCollection();
        JeevesLlmBuilderExtensions.AddOpenAIChatClient(
            services.AddJeevesKernel(), o => o.Roles["planner"] = new LlmRoleOptions(), Env(("MOCK_LLM_ENABLED", "yes")));
        await using ServiceProvider provider = services.BuildServiceProvider();

        IChatClient client = provider.GetRequiredService<IChatClient>();

        Assert.That(client, Is.InstanceOf<MockChatClient>());
        Assert.That(provider.GetRequiredKeyedService<IChatClient>("planner"), Is.SameAs(client));
        Assert.That(provider.GetRequiredService<MockChatClient>(), Is.SameAs(client));
    }

    [Test]
    public async Task AddMockChatClient_RunsEveryScript_AndServesAnyKey_OnTheRegisteredClock()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddJeevesKernel()
            .AddMockChatClient(m => m.On(promptPattern: "Hello").Reply(new MockReply { Text = "scripted", Delay = TimeSpan.FromSeconds(5) }))
            .AddMockChatClient(m => m.On(promptPattern: "Bye").Reply("later"));
        await using ServiceProvider provider = services.BuildServiceProvider();
        IChatClient client = provider.GetRequiredService<IChatClient>();

        Task<ChatResponse> pending = client.GetResponseAsync(s_prompt);
        Assert.That(pending.IsCompleted, Is.False, "the delay waits on the fake clock");
        time.Advance(TimeSpan.FromSeconds(5));
        ChatResponse first = await pending;
        ChatResponse second = await provider.GetRequiredKeyedService<IChatClient>("any-role").GetResponseAsync([new(ChatRole.User, "Bye")]);

        Assert.That(first.Text, Is.EqualTo("scripted"));
        Assert.That(second.Text, Is.EqualTo("later"));
        Assert.That(provider.GetRequiredService<MockChatClient>().CallCount, Is.EqualTo(2));
        Assert.That(services.Count(d => d.ServiceType == typeof(MockChatClient)), Is.EqualTo(1));
    }

    [TestCase(new string[0], true)]
    [TestCase(new[] { "MOCK_LLM_ENABLED", "1", "JEEVES_LLM_API_KEY", "k" }, true)]
    [TestCase(new[] { "JEEVES_LLM_MODEL", "m" }, true)]
    [TestCase(new[] { "JEEVES_LLM_MODEL", "m", "OPENAI_API_KEY", "sk" }, false)]
    [TestCase(new[] { "JEEVES_LLM_MODEL", "m", "JEEVES_LLM_BASE_URL", "http://127.0.0.1:11434/v1" }, false)]
    public async Task AddChatClientFromEnvironment_PicksTheMockUnlessAKeyOrBaseUrlIsSet(string[] pairs, bool mock)
    {
        var variables = new List<(string, string)>();
        for (int i = 0; i < pairs.Length; i += 2)
        {
            variables.Add((pairs[i], pairs[i + 1]));
        }

        var services = new ServiceCollection();
        JeevesLlmBuilderExtensions.AddChatClientFromEnvironment(services.AddJeevesKernel(), Env([.. variables]));
        await using ServiceProvider provider = services.BuildServiceProvider();

        IChatClient client = provider.GetRequiredService<IChatClient>();

        Assert.That(client is MockChatClient, Is.EqualTo(mock));
        Assert.That(client.GetService<ChatClientMetadata>()?.ProviderName, Is.EqualTo(mock ? "mock" : "openai"));
    }

    [Test]
    public void AddChatClientFromEnvironment_UnparsableVariable_FailsNamingIt()
    {
        var services = new ServiceCollection();

        KernelException? error = Assert.Throws<KernelException>(() =>
            JeevesLlmBuilderExtensions.AddChatClientFromEnvironment(services.AddJeevesKernel(), Env(("JEEVES_LLM_MAX_RETRIES", "lots"))));

        Assert.That(error?.Message, Does.Contain("JEEVES_LLM_MAX_RETRIES"));
    }
}
