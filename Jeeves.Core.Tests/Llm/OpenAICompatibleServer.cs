using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Jeeves.Llm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Jeeves.Tests.Llm;

/// <summary>
/// A scriptable OpenAI-compatible HTTP server on 127.0.0.1 (Kestrel, any free port) for tests that drive the real
/// OpenAI SDK: <c>POST /v1/chat/completions</c> (JSON or server-sent events) and <c>GET /v1/models</c>.
/// </summary>
/// <remarks>
/// Chat completions are answered by the replies queued with <see cref="Enqueue"/>, in order, then by
/// <see cref="DefaultReply"/>. Every request is recorded (<see cref="Requests"/>). Use:
/// <code>
/// await using var server = await OpenAICompatibleServer.StartAsync();
/// server.Enqueue(ServerReply.RateLimited(), ServerReply.Text("hi"));
/// IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions());
/// </code>
/// </remarks>
public sealed class OpenAICompatibleServer : IAsyncDisposable
{
    /// <summary>The path of the chat completions endpoint.</summary>
    public const string CompletionsPath = "/v1/chat/completions";

    /// <summary>The model the server lists and <see cref="CreateOptions"/> configures.</summary>
    public const string DefaultModel = "test-model";

    private static readonly DateTimeOffset s_created = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ServerReply> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private OpenAICompatibleServer(WebApplication app)
    {
        _app = app;
        BaseUrl = new Uri("http://127.0.0.1/");
    }

    /// <summary>Gets the OpenAI-compatible base URL, <c>http://127.0.0.1:{port}/v1</c>.</summary>
    public Uri BaseUrl { get; private set; }

    /// <summary>Gets or sets the reply given when nothing is queued.</summary>
    public ServerReply DefaultReply { get; set; } = ServerReply.Text("Hello from the test server.");

    /// <summary>Gets the model ids <c>GET /v1/models</c> lists.</summary>
    public ConcurrentBag<string> Models { get; } = [DefaultModel];

    /// <summary>Gets or sets the status <c>GET /v1/models</c> answers with.</summary>
    public int ModelsStatus { get; set; } = 200;

    /// <summary>Gets a copy of every request received, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Gets the number of chat completion requests received (retries included).</summary>
    public int CompletionRequestCount => _requests.Count(r => r.Path == CompletionsPath);

    /// <summary>Gets the last chat completion request.</summary>
    public RecordedRequest LastCompletion => _requests.Last(r => r.Path == CompletionsPath);

    /// <summary>Starts a server on 127.0.0.1 and a free port.</summary>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The running server.</returns>
    public static async Task<OpenAICompatibleServer> StartAsync(CancellationToken cancellationToken = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var server = new OpenAICompatibleServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    /// <summary>Queues replies for the next chat completion requests, in order.</summary>
    /// <param name="replies">The replies.</param>
    /// <returns>This server.</returns>
    public OpenAICompatibleServer Enqueue(params ServerReply[] replies)
    {
        foreach (ServerReply reply in replies)
        {
            _script.Enqueue(reply);
        }

        return this;
    }

    /// <summary>Creates options that point at this server: its URL and model, a test key, quick retries and a 5 s timeout.</summary>
    /// <param name="configure">Changes the options further, or <see langword="null"/>.</param>
    /// <returns>The options.</returns>
    public LlmOptions CreateOptions(Action<LlmOptions>? configure = null)
    {
        var options = new LlmOptions
        {
            Model = DefaultModel,
            Endpoint = BaseUrl,
            ApiKey = "test-key",
            Timeout = TimeSpan.FromSeconds(5),
            MaxRetries = 3,
            RetryDelay = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // Requests still waiting (slow replies) are aborted rather than awaited.
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        string body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        JsonNode? json = body.Length > 0 ? JsonNode.Parse(body) : null;
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? string.Empty, request.Headers.Authorization.ToString(), json));

        if (HttpMethods.IsGet(request.Method) && request.Path == "/v1/models")
        {
            await WriteModelsAsync(context);
        }
        else if (HttpMethods.IsPost(request.Method) && request.Path == CompletionsPath)
        {
            await WriteCompletionAsync(context, json);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private async Task WriteModelsAsync(HttpContext context)
    {
        context.Response.StatusCode = ModelsStatus;
        var data = new JsonArray();
        foreach (string id in Models.Order(StringComparer.Ordinal))
        {
            data.Add(new JsonObject { ["id"] = id, ["object"] = "model", ["created"] = s_created.ToUnixTimeSeconds(), ["owned_by"] = "test" });
        }

        await WriteJsonAsync(context, ModelsStatus == 200 ? new JsonObject { ["object"] = "list", ["data"] = data } : Error("models unavailable"));
    }

    private async Task WriteCompletionAsync(HttpContext context, JsonNode? request)
    {
        ServerReply reply = _script.TryDequeue(out ServerReply? next) ? next : DefaultReply;
        try
        {
            if (reply.Delay > TimeSpan.Zero)
            {
                await Task.Delay(reply.Delay, TimeProvider.System, context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            return; // the client gave up
        }

        foreach ((string name, string value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (reply.Status != 200)
        {
            context.Response.StatusCode = reply.Status;
            await WriteJsonAsync(context, Error(reply.ErrorMessage ?? $"scripted status {reply.Status}"));
            return;
        }

        string model = reply.Model ?? request?["model"]?.GetValue<string>() ?? DefaultModel;
        bool stream = request?["stream"]?.GetValue<bool>() == true;
        if (!stream)
        {
            await WriteJsonAsync(context, Completion(reply, model));
            return;
        }

        bool includeUsage = request?["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        await WriteStreamAsync(context, reply, model, includeUsage);
    }

    private static JsonObject Completion(ServerReply reply, string model)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = reply.Content };
        if (reply.ToolCalls is { Count: > 0 } calls)
        {
            message["tool_calls"] = new JsonArray([.. calls.Select(c => (JsonNode)ToolCall(c, index: null))]);
        }

        var completion = new JsonObject
        {
            ["id"] = "chatcmpl-test",
            ["object"] = "chat.completion",
            ["created"] = s_created.ToUnixTimeSeconds(),
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["finish_reason"] = reply.FinishReason,
                ["logprobs"] = null,
            }),
        };
        if (reply.Usage() is { } usage)
        {
            completion["usage"] = usage;
        }

        return completion;
    }

    private static async Task WriteStreamAsync(HttpContext context, ServerReply reply, string model, bool includeUsage)
    {
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        CancellationToken aborted = context.RequestAborted;

        JsonObject Chunk(JsonObject delta, string? finishReason) => new()
        {
            ["id"] = "chatcmpl-test",
            ["object"] = "chat.completion.chunk",
            ["created"] = s_created.ToUnixTimeSeconds(),
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
        };

        IReadOnlyList<string> pieces = reply.Chunks ?? MockChatClient.SplitWords(reply.Content ?? string.Empty);
        for (int i = 0; i < pieces.Count; i++)
        {
            var delta = new JsonObject { ["content"] = pieces[i] };
            if (i == 0)
            {
                delta["role"] = "assistant";
            }

            await WriteEventAsync(response, Chunk(delta, null).ToJsonString(), aborted);
            if (i == 0 && reply.ResumeAfterFirstChunk is { } gate)
            {
                await gate.WaitAsync(aborted);
            }
        }

        if (reply.ToolCalls is { Count: > 0 } calls)
        {
            var toolDelta = new JsonObject
            {
                ["role"] = "assistant",
                ["tool_calls"] = new JsonArray([.. calls.Select((c, i) => (JsonNode)ToolCall(c, index: i))]),
            };
            await WriteEventAsync(response, Chunk(toolDelta, null).ToJsonString(), aborted);
        }

        await WriteEventAsync(response, Chunk([], reply.FinishReason).ToJsonString(), aborted);
        if (includeUsage && reply.Usage() is { } usage)
        {
            var usageChunk = new JsonObject
            {
                ["id"] = "chatcmpl-test",
                ["object"] = "chat.completion.chunk",
                ["created"] = s_created.ToUnixTimeSeconds(),
                ["model"] = model,
                ["choices"] = new JsonArray(),
                ["usage"] = usage,
            };
            await WriteEventAsync(response, usageChunk.ToJsonString(), aborted);
        }

        await WriteEventAsync(response, "[DONE]", aborted);
    }

    private static async Task WriteEventAsync(HttpResponse response, string data, CancellationToken cancellationToken)
    {
        await response.WriteAsync("data: " + data + "\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static JsonObject ToolCall(ServerToolCall call, int? index)
    {
        var node = new JsonObject
        {
            ["id"] = call.Id,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.ArgumentsJson },
        };
        if (index is { } i)
        {
            node["index"] = i;
        }

        return node;
    }

    private static JsonObject Error(string message) =>
        new() { ["error"] = new JsonObject { ["message"] = message, ["type"] = "server_error", ["code"] = null } };

    private static async Task WriteJsonAsync(HttpContext context, JsonNode json)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted);
    }
}

/// <summary>A request the <see cref="OpenAICompatibleServer"/> received.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, for example <c>/v1/chat/completions</c>.</param>
/// <param name="Authorization">The <c>Authorization</c> header, or empty.</param>
/// <param name="Body">The JSON body, or <see langword="null"/>.</param>
public sealed record RecordedRequest(string Method, string Path, string Authorization, JsonNode? Body)
{
    /// <summary>Gets a value indicating whether the request asked for a stream.</summary>
    public bool IsStreaming => Body?["stream"]?.GetValue<bool>() == true;
}

/// <summary>A tool call in a scripted reply.</summary>
/// <param name="Id">The call id.</param>
/// <param name="Name">The function name.</param>
/// <param name="ArgumentsJson">The arguments, as a JSON text.</param>
public sealed record ServerToolCall(string Id, string Name, string ArgumentsJson);

/// <summary>What the <see cref="OpenAICompatibleServer"/> answers to one chat completion request.</summary>
public sealed record ServerReply
{
    /// <summary>Gets the HTTP status; anything but 200 sends an OpenAI-style error body.</summary>
    public int Status { get; init; } = 200;

    /// <summary>Gets the assistant's text.</summary>
    public string? Content { get; init; }

    /// <summary>Gets the tool calls of the assistant message.</summary>
    public IReadOnlyList<ServerToolCall>? ToolCalls { get; init; }

    /// <summary>Gets the reported prompt tokens; with <see cref="CompletionTokens"/>, <see langword="null"/> sends no usage.</summary>
    public int? PromptTokens { get; init; } = 11;

    /// <summary>Gets the reported completion tokens.</summary>
    public int? CompletionTokens { get; init; } = 7;

    /// <summary>Gets the model reported; <see langword="null"/> echoes the requested one.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the text pieces of a streamed answer; <see langword="null"/> for the content's words.</summary>
    public IReadOnlyList<string>? Chunks { get; init; }

    /// <summary>Gets extra response headers, such as <c>retry-after-ms</c>.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Gets how long the server waits before answering (aborted when the client gives up).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Gets the error message of a non-200 reply.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Gets a task a streamed answer waits for after its first chunk, to prove the client sees chunks as they arrive.</summary>
    public Task? ResumeAfterFirstChunk { get; init; }

    /// <summary>Gets the finish reason sent.</summary>
    public string FinishReason => ToolCalls is { Count: > 0 } ? "tool_calls" : "stop";

    /// <summary>Creates a text reply with usage.</summary>
    public static ServerReply Text(string content, int promptTokens = 11, int completionTokens = 7) =>
        new() { Content = content, PromptTokens = promptTokens, CompletionTokens = completionTokens };

    /// <summary>Creates a reply that asks for tool calls.</summary>
    public static ServerReply WithToolCalls(params ServerToolCall[] calls) => new() { ToolCalls = calls };

    /// <summary>Creates an error reply.</summary>
    public static ServerReply Error(int status, string? message = null) => new() { Status = status, ErrorMessage = message };

    /// <summary>Creates a 429 reply that asks the client to wait <paramref name="retryAfterMs"/> milliseconds.</summary>
    public static ServerReply RateLimited(int retryAfterMs = 0) => new()
    {
        Status = 429,
        ErrorMessage = "rate limited",
        Headers = new Dictionary<string, string>
        {
            ["retry-after-ms"] = retryAfterMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Retry-After"] = "0",
        },
    };

    /// <summary>Creates a reply that arrives only after <paramref name="delay"/>.</summary>
    public static ServerReply Slow(TimeSpan delay, ServerReply? then = null) => (then ?? Text("late")) with { Delay = delay };

    internal JsonObject? Usage() =>
        PromptTokens is { } p && CompletionTokens is { } c
            ? new JsonObject { ["prompt_tokens"] = p, ["completion_tokens"] = c, ["total_tokens"] = p + c }
            : null;
}
