namespace Jeeves.Gateway;

/// <summary>
/// Represents one event of a server-sent event stream, before it is numbered and framed.
/// </summary>
/// <param name="Name">The event name (<c>event:</c> line), for example <c>agent.planner.started</c> or <c>token</c>.
/// Line breaks in it are replaced when framed, so a name can never break the framing.</param>
/// <param name="Data">The payload (<c>data:</c> lines), usually single-line JSON; a payload with line breaks is sent as one
/// <c>data:</c> line per line, which a client joins back with <c>\n</c>.</param>
/// <param name="IsTerminal">Whether this is the stream's last event: after it the writer sends <c>done</c> and closes.</param>
public sealed record ServerSentEvent(string Name, string Data, bool IsTerminal = false)
{
    /// <summary>The name of the terminal event for a failure.</summary>
    public const string ErrorName = "error";

    /// <summary>The name of the event that follows the terminal event, before the <c>[DONE]</c> sentinel.</summary>
    public const string DoneName = "done";
}
