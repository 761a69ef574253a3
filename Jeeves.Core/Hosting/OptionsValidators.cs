using Jeeves.Ipc;
using Jeeves.Kernel;
using Microsoft.Extensions.Options;

namespace Jeeves.Hosting;

/// <summary>Marks a service collection that already holds the in-process kernel (P6).</summary>
internal sealed class JeevesKernelMarker;

/// <summary>
/// Checks the <see cref="KernelOptions"/> rules that setters cannot: the fields of <see cref="KernelOptions.DefaultQuota"/>,
/// an init-only record, which the kernel would otherwise reject only when it starts.
/// </summary>
internal sealed class KernelOptionsValidator : IValidateOptions<KernelOptions>
{
    public ValidateOptionsResult Validate(string? name, KernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            QuotaRules.Validate(options.DefaultQuota);
            return ValidateOptionsResult.Success;
        }
        catch (KernelException ex)
        {
            return ValidateOptionsResult.Fail($"{nameof(KernelOptions)}.{nameof(KernelOptions.DefaultQuota)}: {ex.Message}");
        }
    }
}

/// <summary>Checks the <see cref="TcpHostOptions"/> rule that spans fields, the same one <see cref="KernelTcpHost"/>'s constructor enforces.</summary>
internal sealed class TcpHostOptionsValidator : IValidateOptions<TcpHostOptions>
{
    public ValidateOptionsResult Validate(string? name, TcpHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.CrossFieldError() is { } error
            ? ValidateOptionsResult.Fail($"{nameof(TcpHostOptions)}: {error}")
            : ValidateOptionsResult.Success;
    }
}
