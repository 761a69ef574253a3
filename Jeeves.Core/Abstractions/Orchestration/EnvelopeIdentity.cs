namespace Jeeves;

/// <summary>
/// Represents who and what an envelope belongs to. Values may be empty strings when read from the wire.
/// </summary>
/// <param name="EnvelopeId">The envelope id (<c>envelope_id</c>).</param>
/// <param name="RequestId">The originating request (<c>request_id</c>).</param>
/// <param name="UserId">The owner (<c>user_id</c>).</param>
/// <param name="SessionId">The conversation (<c>session_id</c>).</param>
public sealed record EnvelopeIdentity(string EnvelopeId, string RequestId, string UserId, string SessionId);
