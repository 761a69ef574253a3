using System.Runtime.CompilerServices;

namespace Jeeves.Kernel.Orchestration;

/// <summary>
/// Compiles each pipeline configuration once: a capability hands the kernel the same <see cref="PipelineConfig"/> for
/// every run, so validation and compilation are done on the first run and reused while the configuration is unchanged.
/// </summary>
/// <remarks>
/// Keyed by reference and held weakly, so a configuration the caller drops takes its compilation with it. A hit is
/// checked with <see cref="CompiledPipeline.Matches"/>: a configuration whose stage list, routing lists, edge limits or
/// resume stages changed since it was compiled is validated and compiled again, never served a stale compilation.
/// Not thread-safe beyond what <see cref="ConditionalWeakTable{TKey, TValue}"/> gives: the kernel actor is its only caller.
/// </remarks>
internal sealed class CompiledPipelineCache
{
    private readonly ConditionalWeakTable<PipelineConfig, CompiledPipeline> _compiled = [];

    /// <summary>Returns the compilation of <paramref name="config"/>, validating and compiling it unless an unchanged one is cached.</summary>
    /// <exception cref="KernelException">The configuration is invalid (<see cref="KernelErrorCode.InvalidArgument"/>).</exception>
    public CompiledPipeline Get(PipelineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_compiled.TryGetValue(config, out CompiledPipeline? cached) && cached.Matches(config))
        {
            return cached;
        }

        PipelineValidator.Validate(config);
        var compiled = new CompiledPipeline(config);
        if (compiled.IsReusable)
        {
            _compiled.AddOrUpdate(config, compiled);
        }
        else if (cached is not null)
        {
            _compiled.Remove(config);
        }

        return compiled;
    }
}
