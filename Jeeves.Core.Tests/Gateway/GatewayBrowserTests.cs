using Jeeves.Examples.HelloWorld;
using Jeeves.Llm;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Jeeves.Tests.Gateway;

/// <summary>
/// The chat page in a real browser: Debian's Chromium driven by Playwright, against the gateway (the HelloWorld onboarding
/// chatbot on the mock model) on a real Kestrel server.
/// No browser is ever downloaded; CI installs <c>chromium</c> with apt-get (see <c>.ci/run</c>).
/// </summary>
[NonParallelizable]
public sealed class GatewayBrowserTests
{
    private static readonly string[] s_chromiumArgs = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"];

    /// <summary>Keeps every text the streamed answer shows, in order, however quickly the words arrive.</summary>
    private const string RecordAnswerStates = """
        window.answerStates = [];
        new MutationObserver(() => {
          const answer = document.getElementById("answer");
          const text = answer ? answer.textContent : null;
          if (text && text !== window.answerStates[window.answerStates.length - 1]) window.answerStates.push(text);
        }).observe(document, { subtree: true, childList: true, characterData: true });
        """;

    private static readonly TimeSpan s_wordPause = TimeSpan.FromSeconds(1);

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartBrowser()
    {
        string? chromium = FindChromium();
        if (chromium is null)
        {
            const string Message = "Debian's chromium is not installed (apt-get install -y chromium); .ci/run installs it.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(Message);
            }

            Assert.Ignore(Message);
        }

        // Generous waits: the machine may be busy, and nothing here waits longer than it takes the page to get there.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = s_chromiumArgs,
            Timeout = 30_000,
        });
    }

    [OneTimeTearDown]
    public async Task StopBrowser()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    [Test]
    public async Task Page_AskAQuestion_StagesAndStreamedWordsThenTheAnswerAndTheSession()
    {
        // Arrange: the gateway on a clock only the test moves; the chatbot's answer comes a word per second of that clock.
        var time = new FakeTimeProvider(TestKernel.Epoch);
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(time: time);
        string[] words = ["The kernel ", "runs every request ", "as a governed ", "process [Overview]."];
        _ = host.Mock.On(agentName: "respond").Reply(new MockReply { Chunks = words, ChunkDelay = s_wordPause });
        await using IBrowserContext context = await NewContextAsync(host);
        await context.AddInitScriptAsync(RecordAnswerStates);
        IPage page = await OpenAsync(context, "browser-ask");

        // Act 1: ask; the first word arrives, the rest wait for the clock.
        await page.Locator("#message").FillAsync("What does the kernel do?");
        await page.Locator("#send").ClickAsync();

        // Assert 1: mid-answer, the page shows the stages so far and the first streamed word.
        await Assertions.Expect(page.Locator("#answer")).ToHaveTextAsync("The kernel ");
        await Assertions.Expect(page.Locator("#stages span")).ToHaveTextAsync(["understand", "think_knowledge", "respond"]);
        await Assertions.Expect(page.Locator("#stages span.current")).ToHaveTextAsync("respond");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Stage: respond · agent respond");
        await Assertions.Expect(page.Locator("#send")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#pipeline")).ToHaveTextAsync(OnboardingCapability.Pipeline);
        await ScreenshotAsync(page, "gateway-chat-streaming.png");

        // Act 2: let the remaining words come, one pause at a time.
        for (int count = 2; count <= words.Length; count++)
        {
            await AdvanceUntilAsync(page, time, $"Number(document.querySelector('.msg.assistant')?.dataset.tokens) >= {count}");
        }

        // Assert 2: the answer is complete, it was shown word by word, the run ended and the session is listed.
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Done.");
        await Assertions.Expect(page.Locator(".msg.assistant")).ToHaveTextAsync("The kernel runs every request as a governed process [Overview].");
        string[] shown = await page.EvaluateAsync<string[]>("window.answerStates");
        Assert.That(shown, Is.EqualTo(new[]
        {
            "The kernel ", "The kernel runs every request ", "The kernel runs every request as a governed ",
            "The kernel runs every request as a governed process [Overview].",
        }));
        await Assertions.Expect(page.Locator(".stages .usage")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^2 LLM calls, [0-9]+ tokens$"));
        await Assertions.Expect(page.Locator(".stages span.current")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#sessions li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#sessions li")).ToContainTextAsync("What does the kernel do?");
        await Assertions.Expect(page.Locator("#sessions li small")).ToHaveTextAsync("2 messages");
        await Assertions.Expect(page.Locator("#send")).ToBeEnabledAsync();
    }

    [Test]
    public async Task Page_AgentAsksWhatTheUserMeans_AnsweredInlineAndTheRunCompletes()
    {
        // Arrange: the chatbot on its default mock answers.
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(time: new FakeTimeProvider(TestKernel.Epoch));
        await using IBrowserContext context = await NewContextAsync(host);
        IPage page = await OpenAsync(context, "browser-clarify");

        // Act 1: "help" is too vague, so the chatbot asks what the user means.
        await page.Locator("#message").FillAsync("help");
        await page.Locator("#message").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#clarification")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#clarify-question")).ToHaveTextAsync(OnboardingCapability.ClarificationQuestion);
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Waiting for your answer…");
        await Assertions.Expect(page.Locator("#stages span")).ToHaveTextAsync(["understand"]);

        // Act 2: answer it from the page.
        await page.Locator("#clarify-text").FillAsync("how routing works");
        await page.Locator("#clarify-send").ClickAsync();

        // Assert: the run resumed at understand, went on to an answer about routing, and ended.
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Done.");
        await Assertions.Expect(page.Locator(".msg.assistant")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("rout", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        await Assertions.Expect(page.Locator("#clarification")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".msg.user")).ToHaveTextAsync(["help", "how routing works"]);
        await Assertions.Expect(page.Locator(".stages span")).ToHaveTextAsync(["understand", "understand", "think_knowledge", "respond"]);
        await Assertions.Expect(page.Locator("#sessions li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#sessions li")).ToContainTextAsync("help");
        string tokens = (await page.Locator(".msg.assistant").GetAttributeAsync("data-tokens"))!;
        Assert.That(int.Parse(tokens, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(1), "the answer came as streamed words");
        await ScreenshotAsync(page, "gateway-chat-page.png");
    }

    private Task<IBrowserContext> NewContextAsync(GatewayTestHost host) =>
        _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Address.ToString(), ViewportSize = new ViewportSize { Width = 1100, Height = 700 } });

    private static async Task<IPage> OpenAsync(IBrowserContext context, string user)
    {
        IPage page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync("/");
        await page.Locator("#user").FillAsync(user);
        await page.Locator("#user").DispatchEventAsync("change");
        return page;
    }

    /// <summary>
    /// Moves the clock one pause and waits for the page to reach a state; if it does not, the clock moved before the mock
    /// began its pause, so it moves again. (A second move can release two words at once; each still comes as its own
    /// event, and the page still shows each.)
    /// </summary>
    private static async Task AdvanceUntilAsync(IPage page, FakeTimeProvider time, string condition)
    {
        for (int attempt = 1; ; attempt++)
        {
            time.Advance(s_wordPause);
            try
            {
                _ = await page.WaitForFunctionAsync(condition, null, new PageWaitForFunctionOptions { Timeout = 500 });
                return;
            }
            catch (System.TimeoutException) when (attempt < 20)
            {
                // Not yet: move the clock again.
            }
        }
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, name);
        _ = await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        TestContext.Out.WriteLine($"screenshot: {path}");
    }

    private static string? FindChromium()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
