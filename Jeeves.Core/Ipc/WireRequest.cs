using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>A validated request map (spec/ipc.md §2.1): what the dispatcher routes.</summary>
/// <param name="Id">The client's request id: a non-empty string, echoed in every frame that answers the request.</param>
/// <param name="Service">The service name, non-empty and case-sensitive (<c>kernel</c>, <c>commbus</c>…).</param>
/// <param name="Method">The method name, non-empty and case-sensitive PascalCase.</param>
/// <param name="Body">
/// The request body. A body that is not a map (nil, an array, a string…) behaves upstream as if every field were
/// absent, so it arrives here as an empty object. The object is detached: the dispatcher may keep or modify it.
/// </param>
internal readonly record struct WireRequest(string Id, string Service, string Method, JsonObject Body);
