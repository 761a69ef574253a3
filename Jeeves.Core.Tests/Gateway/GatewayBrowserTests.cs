using System.Diagnostics;
using Microsoft.Playwright;

namespace Jeeves.Tests.Gateway;

/// <summary>
/// The chat page in a real browser: Debian's Chromium driven by Playwright, against the gateway on a real Kestrel server.
/// No browser is ever downloaded; CI installs <c>chromium</c> with apt-get (see <c>.ci/run</c>).
/// </summary>
[NonParallelizable]
public sealed class GatewayBrowserTests
{
    private static readonly string[] s_chromiumArgs = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"];

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private GatewayTestHost _host = null!;

    [OneTimeSetUp]
    public async Task StartBrowserAndGateway()
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

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = s_chromiumArgs,
            Timeout = 30_000,
        });
        _host = await GatewayTestHost.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopBrowserAndGateway()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Test]
    public async Task Page_AskAQuestion_StreamedAnswerShownAndSessionListed()
    {
        // Arrange
        await using IBrowserContext context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _host.Address.ToString() });
        IPage page = await context.NewPageAsync();
        page.SetDefaultTimeout(10_000);
        await page.GotoAsync("/");
        await page.Locator("#user").FillAsync("browser-ask");
        await page.Locator("#user").DispatchEventAsync("change");

        // Act
        await page.Locator("#message").FillAsync("Hello, who are you?");
        await page.Locator("#send").ClickAsync();

        // Assert: the answer streams in, then the run ends and the session shows in the list.
        await Assertions.Expect(page.Locator(".msg.assistant")).ToContainTextAsync("running on the mock model");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Done.");
        await Assertions.Expect(page.Locator(".msg.assistant")).ToHaveTextAsync(
            "Hello! I am Jeeves, running on the mock model. You asked: \"Hello, who are you?\". Set up a real model to get a real answer.");
        await Assertions.Expect(page.Locator("#sessions li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#sessions li")).ToContainTextAsync("Hello, who are you?");
        await Assertions.Expect(page.Locator("#send")).ToBeEnabledAsync();
    }

    [Test]
    public async Task Page_AgentAsksWhichCity_AnsweredInlineAndTheRunCompletes()
    {
        // Arrange
        await using IBrowserContext context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _host.Address.ToString() });
        IPage page = await context.NewPageAsync();
        page.SetDefaultTimeout(10_000);
        await page.GotoAsync("/");
        await page.Locator("#user").FillAsync("browser-clarify");
        await page.Locator("#user").DispatchEventAsync("change");

        // Act 1: the question needs a city, so the agent asks.
        await page.Locator("#message").FillAsync("What is the weather like?");
        await page.Locator("#message").PressAsync("Enter");
        await Assertions.Expect(page.Locator("#clarification")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#clarify-question")).ToHaveTextAsync("Which city do you mean?");

        // Act 2: answer it from the page.
        await page.Locator("#clarify-text").FillAsync("Berlin");
        await page.Locator("#clarify-send").ClickAsync();

        // Assert
        await Assertions.Expect(page.Locator(".msg.assistant")).ToContainTextAsync("The weather in Berlin is mild and sunny today");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Done.");
        await Assertions.Expect(page.Locator("#clarification")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".msg.user")).ToHaveTextAsync(["What is the weather like?", "Berlin"]);
        string screenshot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "gateway-chat-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot });
        TestContext.Out.WriteLine($"screenshot: {screenshot}");
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
