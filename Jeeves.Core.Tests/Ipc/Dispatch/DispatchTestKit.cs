using System.Text.Json.Nodes;
using Jeeves.Ipc;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Ipc.Dispatch;

/// <summary>Runs wire requests through the method table against a real in-process kernel on a fake clock.</summary>
internal sealed class DispatchTestKit : IAsyncDisposable
{
    public DispatchTestKit()
    {
        Time = new FakeTimeProvider(TestKernel.Epoch);
        Client = KernelClient.CreateInProcess(timeProvider: Time);
    }

    public FakeTimeProvider Time { get; }

    public IKernelClient Client { get; }

    public static IpcMethodTable Table => IpcMethodTable.Default;

    /// <summary>A request body as the codec hands it over: integers as long, floats as double, keys as sent.</summary>
    public static JsonObject B(string json) => (JsonObject)DispatchJson.Copy(JsonNode.Parse(json))!;

    public async Task<JsonObject> Call(string service, string method, string body = "{}") =>
        (JsonObject)await Table.DispatchAsync(Client, service, method, B(body));

    public async Task<JsonObject> Call(string service, string method, JsonObject body) =>
        (JsonObject)await Table.DispatchAsync(Client, service, method, body);

    public KernelException Fails(string service, string method, string body = "{}") =>
        Fails(service, method, B(body));

    public KernelException Fails(string service, string method, JsonObject body) =>
        Assert.CatchAsync<KernelException>(async () => await Table.DispatchAsync(Client, service, method, body))!;

    /// <summary>Asserts a failure's code and full wire message.</summary>
    public void AssertFails(string service, string method, string body, KernelErrorCode code, string message)
    {
        KernelException ex = Fails(service, method, body);
        Assert.That((ex.Code, ex.Message), Is.EqualTo((code, message)), $"{service}.{method} {body}");
    }

    public Task<JsonObject> Create(string pid, string user, string extra = "") =>
        Call("kernel", "CreateProcess", $$"""{"pid":"{{pid}}","user_id":"{{user}}"{{extra}}}""");

    /// <summary>Everything observable about processes and quotas, to prove a refused request changed nothing.</summary>
    public async Task<JsonNode> Snapshot()
    {
        var snapshot = new JsonObject
        {
            ["processes"] = await Call("kernel", "ListProcesses"),
            ["quota"] = await Call("kernel", "GetQuotaDefaults"),
            ["tools"] = await Call("tools", "ListTools"),
        };
        return snapshot;
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}

internal static class JsonAssert
{
    public static string[] Keys(JsonNode? node) => ((JsonObject)node!).Select(static p => p.Key).ToArray();

    public static string S(JsonNode? node) => node!.GetValue<string>();

    public static long L(JsonNode? node) => IpcFieldsView(node);

    public static bool Bool(JsonNode? node) => node!.GetValue<bool>();

    /// <summary>Compact JSON text without escaping <c>&gt;</c> or quotes, for readable expectations.</summary>
    public static string J(JsonNode? node) =>
        node!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static long IpcFieldsView(JsonNode? node) =>
        Jeeves.Ipc.IpcFields.TryGetInt64(node, out long value) ? value : throw new AssertionException($"not an integer: {node?.ToJsonString()}");
}
