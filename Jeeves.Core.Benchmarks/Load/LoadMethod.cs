namespace Jeeves.Benchmarks.Load;

/// <summary>The request a load run sends over and over (service <c>kernel</c> for all of them).</summary>
internal enum LoadMethod
{
    /// <summary><c>GetProcess {pid: "load-probe"}</c>; the run first creates <c>load-probe</c> once.</summary>
    GetProcess,

    /// <summary><c>CreateProcess</c> with a fresh pid and user id per request (the burst limit is per user, §6.1).</summary>
    CreateProcess,

    /// <summary><c>GetSystemStatus {}</c>.</summary>
    GetSystemStatus,

    /// <summary><c>Echo {}</c>: for the echo server; a kernel host answers it with <c>NOT_FOUND</c>.</summary>
    Echo,
}
