using System.Text.Json.Nodes;

namespace Jeeves.Kernel;

/// <summary>The kernel's mutable copy of one interrupt. Snapshots deep-copy its JSON.</summary>
internal sealed class InterruptRecord
{
    public required string Id { get; init; }

    public required InterruptKind Kind { get; init; }

    public InterruptStatus Status { get; set; }

    public required string RequestId { get; init; }

    public required string UserId { get; init; }

    public required string SessionId { get; init; }

    public required string EnvelopeId { get; init; }

    public ProcessId? ProcessId { get; init; }

    public string? Question { get; init; }

    public string? Message { get; init; }

    public JsonObject? Data { get; set; }

    public InterruptResponse? Response { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? TraceId { get; init; }

    public string? SpanId { get; init; }

    public bool IsPastExpiry(DateTimeOffset now) => ExpiresAt is { } expires && now > expires;

    public KernelInterrupt ToSnapshot() => new()
    {
        Id = Id,
        Kind = Kind,
        Status = Status,
        RequestId = RequestId,
        UserId = UserId,
        SessionId = SessionId,
        EnvelopeId = EnvelopeId,
        ProcessId = ProcessId,
        Question = Question,
        Message = Message,
        Data = (JsonObject?)Data?.DeepClone(),
        Response = Response,
        CreatedAt = CreatedAt,
        ExpiresAt = ExpiresAt,
        ResolvedAt = ResolvedAt,
        ClosedAt = ClosedAt,
        TraceId = TraceId,
        SpanId = SpanId,
    };
}
