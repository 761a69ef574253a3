using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Jeeves.Examples.Gateway;
using Jeeves.Llm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Jeeves.Tests.Gateway;

/// <summary>
/// The Gateway example (the HelloWorld onboarding chatbot) on a real Kestrel server bound to 127.0.0.1 on a free port, with
/// a client for it. It always answers on the library's mock model, unpaced, whatever the environment says, so a test can
/// script it through <see cref="Mock"/>.
/// </summary>
internal sealed class GatewayTestHost : IAsyncDisposable
{
    private GatewayTestHost(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Gets the mock model the chatbot calls.</summary>
    public MockChatClient Mock => App.Services.GetRequiredService<MockChatClient>();

    /// <summary>Starts the gateway.</summary>
    /// <param name="settings">Adjusts the gateway's settings.</param>
    /// <param name="configure">Adjusts its services.</param>
    /// <param name="time">The clock of the kernel, the runner, the mock and the gateway; <see langword="null"/> for the system clock.</param>
    public static async Task<GatewayTestHost> StartAsync(Action<GatewaySettings>? settings = null, Action<WebApplicationBuilder>? configure = null, TimeProvider? time = null)
    {
        WebApplication app = GatewayApp.Create(
            [],
            s =>
            {
                s.Host = "127.0.0.1";
                s.Port = 0;
                s.CorsOrigins = ["http://allowed.example"];
                s.MockTokenDelay = TimeSpan.Zero;
                settings?.Invoke(s);
            },
            b =>
            {
                b.Logging.ClearProviders();
                if (time is not null)
                {
                    b.Services.AddSingleton(time);
                }

                // The mock, even when the environment names a real model.
                b.Services.RemoveAll<IChatClient>();
                b.Services.AddSingleton<IChatClient>(static sp => sp.GetRequiredService<MockChatClient>());
                b.Services.AddKeyedSingleton<IChatClient>(KeyedService.AnyKey, static (sp, _) => sp.GetRequiredService<MockChatClient>());
                configure?.Invoke(b);
            });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new GatewayTestHost(app, new Uri(address));
    }

    public async Task<JsonObject> GetJsonAsync(string url)
    {
        using HttpResponseMessage response = await Client.GetAsync(url);
        Assert.That(response.IsSuccessStatusCode, Is.True, $"GET {url} → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static async Task<(int Status, JsonNode? Body)> ReadAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }

        using HttpResponseMessage response = await Client.SendAsync(request);
        return await ReadAsync(response);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Reads a server-sent event stream as it arrives, so a test can wait for one event while the stream stays open.</summary>
internal sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly List<ParsedSse> _events = [];
    private readonly System.Text.StringBuilder _raw = new();

    private SseReader(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream);
    }

    public HttpResponseMessage Response => _response;

    public IReadOnlyList<ParsedSse> Events => _events;

    public string Raw => _raw.ToString();

    public static async Task<SseReader> OpenAsync(HttpClient client, string url)
    {
        HttpResponseMessage response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>Reads frames until one named <paramref name="name"/> arrives; returns it, or null when the stream ends first.</summary>
    public async Task<ParsedSse?> WaitForAsync(string name, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var frame = new System.Text.StringBuilder();
        while (true)
        {
            string? line = await _reader.ReadLineAsync(cts.Token);
            if (line is null)
            {
                return null;
            }

            _raw.Append(line).Append('\n');
            frame.Append(line).Append('\n');
            if (line.Length > 0)
            {
                continue;
            }

            List<ParsedSse> parsed = SseParser.Parse(frame.ToString());
            frame.Clear();
            _events.AddRange(parsed);
            if (parsed.Any(p => p.Event == name || (name == "[DONE]" && p.Data == "[DONE]" && p.Event is null)))
            {
                return parsed.Last();
            }
        }
    }

    /// <summary>Reads to the end of the stream.</summary>
    public async Task ReadToEndAsync()
    {
        _ = await WaitForAsync("\u0000never");
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
