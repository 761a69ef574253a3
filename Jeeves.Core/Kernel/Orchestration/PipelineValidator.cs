namespace Jeeves.Kernel.Orchestration;

/// <summary>Validates a pipeline before anything is created, with the reference's messages (§5.2).</summary>
internal static class PipelineValidator
{
    /// <exception cref="KernelException">The configuration is invalid (<see cref="KernelErrorCode.InvalidArgument"/>).</exception>
    public static void Validate(PipelineConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrEmpty(config.Name))
        {
            throw KernelErrors.Validation("Pipeline name is required");
        }

        if (config.Stages is null || config.Stages.Count == 0)
        {
            throw KernelErrors.Validation("Pipeline must have at least one stage");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (PipelineStage? stage in config.Stages)
        {
            if (stage is null || string.IsNullOrEmpty(stage.Name) || string.IsNullOrEmpty(stage.Agent) || stage.Routing is null)
            {
                throw KernelErrors.Validation("Invalid pipeline_config: every stage needs a non-empty name, a non-empty agent and a routing list");
            }

            names.Add(stage.Name);
        }

        foreach (PipelineStage stage in config.Stages)
        {
            foreach (RoutingRule? rule in stage.Routing)
            {
                if (rule is null || rule.Target is null || !names.Contains(rule.Target))
                {
                    throw KernelErrors.Validation(
                        $"Stage '{stage.Name}' has routing target '{rule?.Target}' which does not exist in pipeline. Valid stages: {string.Join(", ", names)}");
                }
            }
        }

        foreach (EdgeLimit? limit in config.EdgeLimits ?? [])
        {
            if (limit is null || !names.Contains(limit.FromStage))
            {
                throw KernelErrors.Validation($"Edge limit from_stage '{limit?.FromStage}' does not exist");
            }

            if (!names.Contains(limit.ToStage))
            {
                throw KernelErrors.Validation($"Edge limit to_stage '{limit.ToStage}' does not exist");
            }
        }

        foreach ((InterruptKind kind, string stage) in config.ResumeStages ?? new Dictionary<InterruptKind, string>())
        {
            if (stage is null || !names.Contains(stage))
            {
                throw KernelErrors.Validation($"Resume stage '{stage}' for {WireNames.ToWire(kind)} interrupts does not exist in pipeline");
            }
        }
    }
}
