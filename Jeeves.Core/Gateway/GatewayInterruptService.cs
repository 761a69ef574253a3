using System.Text.Json;

namespace Jeeves.Gateway;

/// <summary>
/// Lists, shows, answers and withdraws human-in-the-loop interrupts on behalf of their owners, over
/// <see cref="IKernelClient.Interrupts"/>.
/// </summary>
/// <remarks>
/// <para>
/// Every operation names the calling user. Refusals are results, checked in this order: unknown interrupt
/// (<see cref="GatewayOutcome.NotFound"/>), another user's interrupt (<see cref="GatewayOutcome.Forbidden"/>), an
/// interrupt that is no longer pending, whether resolved, cancelled or expired (<see cref="GatewayOutcome.Conflict"/>),
/// then an answer that lacks what the kind requires (<see cref="GatewayOutcome.BadRequest"/>). A kernel that cannot be
/// reached gives <see cref="GatewayOutcome.Unavailable"/>; any other failure is thrown.
/// </para>
/// <para>
/// Answering an interrupt resumes the process it paused: a run waiting on it carries on by itself. Thread-safe.
/// </para>
/// </remarks>
public sealed class GatewayInterruptService
{
    /// <summary>The longest text answer accepted, in characters.</summary>
    public const int MaxTextLength = 10_000;

    private const string NotFoundDetail = "Interrupt not found";
    private const string UnavailableDetail = "Interrupt service unavailable";

    private readonly IKernelClient _kernel;

    /// <summary>Initializes a new instance of the <see cref="GatewayInterruptService"/> class.</summary>
    /// <param name="kernel">The kernel that holds the interrupts.</param>
    /// <exception cref="ArgumentNullException"><paramref name="kernel"/> is <see langword="null"/>.</exception>
    public GatewayInterruptService(IKernelClient kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        _kernel = kernel;
    }

    /// <summary>Gets one of the caller's interrupts, whatever its status.</summary>
    /// <param name="interruptId">The interrupt id.</param>
    /// <param name="userId">The caller.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The interrupt; not found, forbidden or unavailable otherwise.</returns>
    public async Task<GatewayResult<InterruptView>> GetAsync(string interruptId, string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interruptId);
        ArgumentNullException.ThrowIfNull(userId);
        try
        {
            KernelInterrupt? interrupt = await _kernel.Interrupts.GetAsync(interruptId, cancellationToken).ConfigureAwait(false);
            if (interrupt is null)
            {
                return GatewayResult.Fail<InterruptView>(GatewayOutcome.NotFound, NotFoundDetail);
            }

            return interrupt.UserId != userId
                ? GatewayResult.Fail<InterruptView>(GatewayOutcome.Forbidden, "Not authorized to access this interrupt")
                : GatewayResult.Ok(InterruptView.From(interrupt));
        }
        catch (KernelException e) when (GatewayText.IsUnavailable(e))
        {
            return GatewayResult.Fail<InterruptView>(GatewayOutcome.Unavailable, UnavailableDetail);
        }
    }

    /// <summary>Answers one of the caller's pending interrupts; the run it paused resumes.</summary>
    /// <param name="interruptId">The interrupt id.</param>
    /// <param name="userId">The caller, who must own the interrupt.</param>
    /// <param name="answer">The answer. A clarification needs <see cref="InterruptResponse.Text"/>, a confirmation
    /// <see cref="InterruptResponse.Approved"/>, an agent review <see cref="InterruptResponse.Decision"/>.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The resolved interrupt; not found, forbidden, conflict, bad request or unavailable otherwise.</returns>
    public async Task<GatewayResult<InterruptRespondResult>> RespondAsync(string interruptId, string userId, InterruptResponse answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interruptId);
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(answer);
        try
        {
            KernelInterrupt? interrupt = await _kernel.Interrupts.GetAsync(interruptId, cancellationToken).ConfigureAwait(false);
            if (Refuse<InterruptRespondResult>(interrupt, userId, "Not authorized to respond to this interrupt") is { } refused)
            {
                return refused;
            }

            if (MissingAnswer(interrupt!.Kind, answer) is { } missing)
            {
                return GatewayResult.Fail<InterruptRespondResult>(GatewayOutcome.BadRequest, missing);
            }

            if (answer.Text is { Length: > MaxTextLength })
            {
                return GatewayResult.Fail<InterruptRespondResult>(GatewayOutcome.BadRequest, $"'text' must be at most {MaxTextLength} characters");
            }

            bool resolved;
            try
            {
                resolved = await _kernel.Interrupts.ResolveAsync(interruptId, answer, userId, cancellationToken).ConfigureAwait(false);
            }
            catch (KernelException e) when (e.Code == KernelErrorCode.InvalidArgument)
            {
                return GatewayResult.Fail<InterruptRespondResult>(GatewayOutcome.BadRequest, "This interrupt requires an answer");
            }

            KernelInterrupt? after = await _kernel.Interrupts.GetAsync(interruptId, cancellationToken).ConfigureAwait(false);
            if (!resolved || after is null)
            {
                // Lost a race: it expired, or someone withdrew or answered it between the read and the resolve.
                return after is { Status: not InterruptStatus.Pending }
                    ? NotPending<InterruptRespondResult>(after)
                    : GatewayResult.Fail<InterruptRespondResult>(GatewayOutcome.Failed, "Failed to resolve interrupt");
            }

            return GatewayResult.Ok(new InterruptRespondResult(true, InterruptView.From(after), RequestCanResume: true));
        }
        catch (KernelException e) when (GatewayText.IsUnavailable(e))
        {
            return GatewayResult.Fail<InterruptRespondResult>(GatewayOutcome.Unavailable, UnavailableDetail);
        }
    }

    /// <summary>Withdraws one of the caller's pending interrupts; the run it paused ends as its kind is configured.</summary>
    /// <param name="interruptId">The interrupt id.</param>
    /// <param name="userId">The caller, who must own the interrupt.</param>
    /// <param name="reason">Why, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The cancelled interrupt; not found, forbidden, conflict or unavailable otherwise.</returns>
    public async Task<GatewayResult<InterruptView>> CancelAsync(string interruptId, string userId, string? reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interruptId);
        ArgumentNullException.ThrowIfNull(userId);
        try
        {
            KernelInterrupt? interrupt = await _kernel.Interrupts.GetAsync(interruptId, cancellationToken).ConfigureAwait(false);
            if (interrupt is null)
            {
                return GatewayResult.Fail<InterruptView>(GatewayOutcome.NotFound, NotFoundDetail);
            }

            if (interrupt.UserId != userId)
            {
                return GatewayResult.Fail<InterruptView>(GatewayOutcome.Forbidden, "Not authorized to cancel this interrupt");
            }

            if (!await _kernel.Interrupts.CancelAsync(interruptId, reason, cancellationToken).ConfigureAwait(false))
            {
                return GatewayResult.Fail<InterruptView>(GatewayOutcome.Conflict, "Cannot cancel interrupt (may already be resolved)");
            }

            KernelInterrupt? after = await _kernel.Interrupts.GetAsync(interruptId, cancellationToken).ConfigureAwait(false);
            return GatewayResult.Ok(InterruptView.From(after ?? interrupt with { Status = InterruptStatus.Cancelled }));
        }
        catch (KernelException e) when (GatewayText.IsUnavailable(e))
        {
            return GatewayResult.Fail<InterruptView>(GatewayOutcome.Unavailable, UnavailableDetail);
        }
    }

    /// <summary>Lists the caller's pending interrupts in a session.</summary>
    /// <param name="userId">The caller; interrupts owned by other users are never listed.</param>
    /// <param name="sessionId">The session; without one the list is empty, as the kernel offers no per-user query.</param>
    /// <param name="statusFilter">Only this status (<c>pending</c> by default); <c>all</c> or empty for every status.</param>
    /// <param name="kind">Only this kind (wire spelling), or <see langword="null"/> for all.</param>
    /// <param name="limit">The most interrupts to list; at least 1.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The interrupts; bad request for an unknown kind, or unavailable.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    public async Task<GatewayResult<InterruptList>> ListAsync(string userId, string? sessionId, string? statusFilter = "pending", string? kind = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (string.IsNullOrEmpty(sessionId))
        {
            return GatewayResult.Ok(new InterruptList([], 0));
        }

        InterruptKind[]? kinds = null;
        if (!string.IsNullOrEmpty(kind))
        {
            if (!WireNames.TryParseInterruptKind(kind, out InterruptKind parsed))
            {
                return GatewayResult.Fail<InterruptList>(GatewayOutcome.BadRequest, $"Invalid interrupt kind: {kind}");
            }

            kinds = [parsed];
        }

        try
        {
            IReadOnlyList<KernelInterrupt> pending = await _kernel.Interrupts.GetPendingForSessionAsync(sessionId, kinds, cancellationToken).ConfigureAwait(false);
            bool allStatuses = string.IsNullOrEmpty(statusFilter) || statusFilter == "all";
            InterruptView[] views = [.. pending
                .Where(i => i.UserId == userId)
                .Select(InterruptView.From)
                .Where(v => allStatuses || v.Status == statusFilter)
                .Take(limit)];
            return GatewayResult.Ok(new InterruptList(views, views.Length));
        }
        catch (KernelException e) when (GatewayText.IsUnavailable(e))
        {
            return GatewayResult.Fail<InterruptList>(GatewayOutcome.Unavailable, UnavailableDetail);
        }
    }

    private static GatewayResult<T>? Refuse<T>(KernelInterrupt? interrupt, string userId, string forbiddenDetail)
    {
        if (interrupt is null)
        {
            return GatewayResult.Fail<T>(GatewayOutcome.NotFound, NotFoundDetail);
        }

        if (interrupt.UserId != userId)
        {
            return GatewayResult.Fail<T>(GatewayOutcome.Forbidden, forbiddenDetail);
        }

        return interrupt.Status != InterruptStatus.Pending ? NotPending<T>(interrupt) : null;
    }

    private static GatewayResult<T> NotPending<T>(KernelInterrupt interrupt) =>
        GatewayResult.Fail<T>(GatewayOutcome.Conflict, $"Interrupt is not pending (status: {WireNames.ToWire(interrupt.Status)})");

    private static string? MissingAnswer(InterruptKind kind, InterruptResponse answer) => kind switch
    {
        InterruptKind.Clarification when answer.Text is null => "Clarification interrupt requires 'text' field",
        InterruptKind.Confirmation when answer.Approved is null => "Confirmation interrupt requires 'approved' field",
        InterruptKind.AgentReview when answer.Decision is null => "Agent review interrupt requires 'decision' field",
        _ => null,
    };

    /// <summary>Builds a kernel response from the fields of an HTTP answer.</summary>
    /// <param name="text">The text answer.</param>
    /// <param name="approved">The approval.</param>
    /// <param name="decision">The decision.</param>
    /// <param name="data">Structured data.</param>
    /// <returns>The response.</returns>
    public static InterruptResponse Answer(string? text, bool? approved, string? decision, JsonElement? data) =>
        new() { Text = text, Approved = approved, Decision = decision, Data = data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } d ? d.Clone() : null };
}
