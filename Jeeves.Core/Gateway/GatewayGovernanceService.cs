namespace Jeeves.Gateway;

/// <summary>
/// Reports tool health and the governance dashboard over <see cref="IKernelClient.Tools"/>.
/// </summary>
/// <remarks>
/// A kernel that cannot be reached gives <see cref="GatewayOutcome.Unavailable"/> with the fixed detail
/// <c>Backend unavailable</c>; error text from the kernel is never shown. Thread-safe.
/// </remarks>
public sealed class GatewayGovernanceService
{
    private const string UnavailableDetail = "Backend unavailable";

    private readonly IKernelClient _kernel;
    private readonly GovernanceOptions _options;

    /// <summary>Initializes a new instance of the <see cref="GatewayGovernanceService"/> class.</summary>
    /// <param name="kernel">The kernel whose tools are reported.</param>
    /// <param name="options">What the dashboard shows besides tools; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="kernel"/> is <see langword="null"/>.</exception>
    public GatewayGovernanceService(IKernelClient kernel, GovernanceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        _kernel = kernel;
        _options = options ?? new GovernanceOptions();
    }

    /// <summary>Summarises the health of every tool in the catalog or with recorded executions.</summary>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The summary, or unavailable.</returns>
    public async Task<GatewayResult<HealthSummary>> GetHealthSummaryAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            SystemToolHealth health = await _kernel.Tools.GetSystemToolHealthAsync(cancellationToken).ConfigureAwait(false);
            return GatewayResult.Ok(Summarise(health));
        }
        catch (KernelException e) when (GatewayText.IsUnavailable(e))
        {
            return GatewayResult.Fail<HealthSummary>(GatewayOutcome.Unavailable, UnavailableDetail);
        }
    }

    /// <summary>Reports one tool's health.</summary>
    /// <param name="toolName">The tool.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The report; not found for a tool that is neither in the catalog nor ever executed; or unavailable.</returns>
    public async Task<GatewayResult<ToolHealthDetail>> GetToolHealthAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        try
        {
            ToolHealthReport report = await _kernel.Tools.CheckToolHealthAsync(toolName, cancellationToken).ConfigureAwait(false);
            if (report.TotalCalls == 0 && await _kernel.Tools.GetToolEntryAsync(toolName, cancellationToken).ConfigureAwait(false) is null)
            {
                return GatewayResult.Fail<ToolHealthDetail>(GatewayOutcome.NotFound, $"Tool not found: {toolName}");
            }

            IReadOnlyList<ToolErrorPattern> patterns = report.TotalCalls == 0
                ? []
                : await _kernel.Tools.GetErrorPatternsAsync(toolName, cancellationToken).ConfigureAwait(false);
            int successful = (int)Math.Round(report.TotalCalls * report.SuccessRate, MidpointRounding.AwayFromZero);
            return GatewayResult.Ok(new ToolHealthDetail(
                report.ToolName,
                WireNames.ToWire(report.Status),
                report.TotalCalls,
                successful,
                report.TotalCalls - successful,
                report.SuccessRate,
                report.AvgLatencyMs,
                LastSuccess: null,
                LastFailure: null,
                LastError: patterns.Count > 0 ? patterns[0].ErrorType : null,
                report.RecentErrors,
                report.CircuitBroken,
                report.Issues));
        }
        catch (KernelException e) when (GatewayText.IsUnavailable(e))
        {
            return GatewayResult.Fail<ToolHealthDetail>(GatewayOutcome.Unavailable, UnavailableDetail);
        }
    }

    /// <summary>Builds the governance dashboard: tool health, agents, memory layers and configuration.</summary>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The dashboard, or unavailable when tool health cannot be read.</returns>
    public async Task<GatewayResult<GovernanceDashboard>> GetDashboardAsync(CancellationToken cancellationToken = default)
    {
        GatewayResult<HealthSummary> summary = await GetHealthSummaryAsync(cancellationToken).ConfigureAwait(false);
        if (!summary.IsSuccess)
        {
            return GatewayResult.Fail<GovernanceDashboard>(summary.Outcome, summary.Detail!);
        }

        return GatewayResult.Ok(new GovernanceDashboard(
            summary.Value!.Tools,
            [.. _options.Agents],
            [.. _options.MemoryLayers],
            new GovernanceConfig(_options.LlmProvider, _options.DatabaseBackend, _options.LogLevel)));
    }

    internal static HealthSummary Summarise(SystemToolHealth health)
    {
        ToolHealthBrief[] tools = [.. health.ToolReports
            .Select(static r => new ToolHealthBrief(r.ToolName, WireNames.ToWire(r.Status), r.SuccessRate, LastUsed: null))];
        int healthy = health.ToolReports.Count(static r => r.Status == HealthStatus.Healthy);
        int degraded = health.ToolReports.Count(static r => r.Status == HealthStatus.Degraded);
        int unhealthy = health.ToolReports.Count(static r => r.Status == HealthStatus.Unhealthy);

        // The reference's health servicer ranks unhealthy over degraded over healthy, and reports healthy when no tool
        // is graded yet (an empty catalog is not a problem).
        string overall = unhealthy > 0 ? "unhealthy" : degraded > 0 ? "degraded" : "healthy";
        return new HealthSummary(overall, tools.Length, healthy, degraded, unhealthy, tools);
    }
}
