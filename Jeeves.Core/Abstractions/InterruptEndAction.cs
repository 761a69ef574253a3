namespace Jeeves;

/// <summary>
/// Specifies what happens to a paused process when its interrupt ends without being resolved.
/// </summary>
public enum InterruptEndAction
{
    /// <summary>The process terminates.</summary>
    TerminateProcess,

    /// <summary>The process resumes without an answer.</summary>
    ResumeProcess,
}
