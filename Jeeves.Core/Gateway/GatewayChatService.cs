using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Jeeves.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jeeves.Gateway;

/// <summary>
/// Sends chat messages through a capability's pipeline, streams the run's events, and keeps the conversation in an
/// <see cref="ISessionStore"/>: the user's message when the run starts, the answer when it completes.
/// </summary>
/// <remarks>
/// <para>
/// A run that pauses for a human keeps going: its stream shows the interrupt (an event named after its kind, such as
/// <c>clarification</c>) and carries on once the owner answers it through <see cref="GatewayInterruptService"/>. When
/// <see cref="SendAsync"/> returns a clarification, the run waits in the background, owned by this service, and its answer
/// lands in the session once it completes. <see cref="DisposeAsync"/> cancels those runs and waits for them.
/// </para>
/// <para>Stream events: <c>orchestrator.started</c>, <c>agent.started</c>, <c>token</c>, <c>tool.started</c>,
/// <c>tool.completed</c>, <c>agent.completed</c>, the interrupt kinds, <c>interrupt.ended</c>, and one terminal event,
/// <c>response_ready</c> or <c>error</c>. Every payload carries <c>request_id</c>, <c>session_id</c> and <c>timestamp_ms</c>.</para>
/// </remarks>
public sealed partial class GatewayChatService : IAsyncDisposable
{
    private readonly PipelineRunner _runner;
    private readonly ISessionStore _sessions;
    private readonly ChatServiceOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<Task, byte> _background = new();

    /// <summary>Initializes a new instance of the <see cref="GatewayChatService"/> class.</summary>
    /// <param name="runner">The runner of the capability's pipelines.</param>
    /// <param name="sessions">Where conversations are kept.</param>
    /// <param name="options">Which pipeline serves messages; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Where failures are logged; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="runner"/> or <paramref name="sessions"/> is <see langword="null"/>.</exception>
    public GatewayChatService(PipelineRunner runner, ISessionStore sessions, ChatServiceOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(sessions);
        _runner = runner;
        _sessions = sessions;
        _options = options ?? new ChatServiceOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Starts a run for a message and returns its event stream; the run starts when the stream is enumerated.</summary>
    /// <param name="request">The message.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests while the run is prepared.</param>
    /// <returns>The stream; not found for an unknown session; bad request for an unknown mode.</returns>
    public async Task<GatewayResult<ChatRun>> StreamAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        GatewayResult<RunRequest> prepared = await PrepareAsync(request, cancellationToken).ConfigureAwait(false);
        if (!prepared.IsSuccess)
        {
            return GatewayResult.Fail<ChatRun>(prepared.Outcome, prepared.Detail!);
        }

        RunRequest run = prepared.Value!;
        return GatewayResult.Ok(new ChatRun(run.SessionId!, run.RequestId!, StreamEventsAsync(run, request.UserId, CancellationToken.None)));
    }

    /// <summary>
    /// Sends a message and waits for the answer, or for the run to pause for a human, whichever comes first.
    /// </summary>
    /// <param name="request">The message.</param>
    /// <param name="cancellationToken">Cancels the run while it has not paused.</param>
    /// <returns>The reply; not found for an unknown session; bad request for an unknown mode.</returns>
    public async Task<GatewayResult<ChatReply>> SendAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        GatewayResult<RunRequest> prepared = await PrepareAsync(request, cancellationToken).ConfigureAwait(false);
        if (!prepared.IsSuccess)
        {
            return GatewayResult.Fail<ChatReply>(prepared.Outcome, prepared.Detail!);
        }

        RunRequest run = prepared.Value!;
        var lifetime = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        CancellationTokenRegistration caller = cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), lifetime);
        IAsyncEnumerator<RunEvent> events = _runner.StreamAsync(run, lifetime.Token).GetAsyncEnumerator(lifetime.Token);
        bool handedOff = false;
        try
        {
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                RunEvent e = events.Current;
                switch (e)
                {
                    case RunCompleted completed:
                        await SaveAnswerAsync(run, request.UserId, completed.Result).ConfigureAwait(false);
                        return GatewayResult.Ok(Reply(run, completed.Result));
                    case RunFailed failed:
                        LogRunFailed(_logger, run.Pipeline, failed.Error);
                        return GatewayResult.Ok(new ChatReply(run.RequestId!, run.SessionId!, "error", GatewayText.InternalError));
                    case InterruptRaised raised:
                        // The run waits for a human; it must not be cancelled by this request ending, so the rest of the
                        // stream is read in the background, and its answer is saved when it completes.
                        await caller.DisposeAsync().ConfigureAwait(false);
                        handedOff = true;
                        Track(FinishInBackgroundAsync(events, lifetime, run, request.UserId));
                        return GatewayResult.Ok(Paused(run, raised.Interrupt));
                }
            }

            return GatewayResult.Fail<ChatReply>(GatewayOutcome.Failed, "No response received from orchestrator");
        }
        finally
        {
            if (!handedOff)
            {
                await caller.DisposeAsync().ConfigureAwait(false);
                await events.DisposeAsync().ConfigureAwait(false);
                lifetime.Dispose();
            }
        }
    }

    /// <summary>Cancels the runs still waiting in the background and waits for them to end.</summary>
    /// <returns>A task that completes when every background run has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_background.Keys).ConfigureAwait(false);
        _shutdown.Dispose();
    }

    private async Task<GatewayResult<RunRequest>> PrepareAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.UserId, nameof(request));
        ArgumentException.ThrowIfNullOrEmpty(request.Message, nameof(request));
        string pipeline = _options.DefaultPipeline;
        if (!string.IsNullOrEmpty(request.Mode) && !_options.Modes.TryGetValue(request.Mode, out pipeline!))
        {
            return GatewayResult.Fail<RunRequest>(GatewayOutcome.BadRequest, $"Unknown mode: {request.Mode}");
        }

        ChatSession? session;
        var history = new JsonArray();
        if (string.IsNullOrEmpty(request.SessionId))
        {
            string title = request.Message.Length <= 60 ? request.Message : request.Message[..60];
            session = await _sessions.CreateSessionAsync(request.UserId, title, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            session = await _sessions.GetSessionAsync(request.SessionId, request.UserId, cancellationToken).ConfigureAwait(false);
            if (session is null)
            {
                return GatewayResult.Fail<RunRequest>(GatewayOutcome.NotFound, "Session not found");
            }

            int skip = Math.Max(0, session.MessageCount - _options.HistoryLength);
            if (_options.HistoryLength > 0 && session.MessageCount > 0
                && await _sessions.GetMessagesAsync(session.SessionId, request.UserId, Math.Min(_options.HistoryLength, ISessionStore.MaxMessagePageSize), skip, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                foreach (SessionMessage m in earlier.Messages)
                {
                    history.Add((JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content });
                }
            }
        }

        _ = await _sessions.AppendMessageAsync(session.SessionId, request.UserId, SessionMessage.UserRole, request.Message, cancellationToken).ConfigureAwait(false);
        var state = new JsonObject { ["conversation_history"] = history };
        if (!string.IsNullOrEmpty(request.RepoPath))
        {
            state["repo_path"] = request.RepoPath;
        }

        return GatewayResult.Ok(new RunRequest
        {
            Pipeline = pipeline,
            Input = request.Message,
            UserId = request.UserId,
            SessionId = session.SessionId,
            RequestId = RandomIds.NewHexId("req_", 32),
            State = state,
        });
    }

    private async IAsyncEnumerable<ServerSentEvent> StreamEventsAsync(RunRequest run, string userId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (RunEvent e in _runner.StreamAsync(run, cancellationToken).ConfigureAwait(false))
        {
            switch (e)
            {
                case RunCompleted completed:
                    await SaveAnswerAsync(run, userId, completed.Result).ConfigureAwait(false);
                    break;
                case RunFailed failed:
                    LogRunFailed(_logger, run.Pipeline, failed.Error);
                    break;
            }

            yield return RunEventFrames.ToServerSentEvent(e, run.RequestId!, run.SessionId!);
        }
    }

    private async Task FinishInBackgroundAsync(IAsyncEnumerator<RunEvent> events, CancellationTokenSource lifetime, RunRequest run, string userId)
    {
        // Leave the request's context before waiting: the run may wait for hours.
        await Task.Yield();
        try
        {
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                if (events.Current is RunCompleted completed)
                {
                    await SaveAnswerAsync(run, userId, completed.Result).ConfigureAwait(false);
                }
                else if (events.Current is RunFailed failed)
                {
                    LogRunFailed(_logger, run.Pipeline, failed.Error);
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // The gateway is stopping; the runner ends the run as cancelled.
        }
        finally
        {
            await events.DisposeAsync().ConfigureAwait(false);
            lifetime.Dispose();
        }
    }

    private void Track(Task task)
    {
        _background.TryAdd(task, 0);
        _ = task.ContinueWith(static (t, s) => ((ConcurrentDictionary<Task, byte>)s!).TryRemove(t, out _), _background, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task SaveAnswerAsync(RunRequest run, string userId, RunResult result)
    {
        if (result.IsCompleted && !string.IsNullOrEmpty(result.Response))
        {
            // Saved even if the client went away: the answer belongs to the conversation.
            _ = await _sessions.AppendMessageAsync(run.SessionId!, userId, SessionMessage.AssistantRole, result.Response, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static ChatReply Reply(RunRequest run, RunResult result)
    {
        if (!result.IsCompleted)
        {
            string reason = result.TerminalReason is { } r ? WireNames.ToWire(r) : "unknown";
            return new ChatReply(run.RequestId!, run.SessionId!, "error", $"The run ended early ({reason}).");
        }

        List<string>? citations = result.Output?["citations"] is JsonArray array
            ? [.. array.Select(static c => c?.ToString() ?? string.Empty)]
            : null;
        List<string>? files = result.Output?["files_examined"] is JsonArray f
            ? [.. f.Select(static c => c?.ToString() ?? string.Empty)]
            : null;
        return new ChatReply(run.RequestId!, run.SessionId!, "completed", result.Response, FilesExamined: files, Citations: citations);
    }

    private static ChatReply Paused(RunRequest run, KernelInterrupt interrupt) => interrupt.Kind switch
    {
        InterruptKind.Confirmation => new ChatReply(run.RequestId!, run.SessionId!, "confirmation", null,
            ConfirmationMessage: interrupt.Message ?? interrupt.Question, ConfirmationId: interrupt.Id),
        _ => new ChatReply(run.RequestId!, run.SessionId!, "clarification", null,
            ClarificationNeeded: true, ClarificationQuestion: interrupt.Question ?? interrupt.Message, ThreadId: interrupt.Id),
    };

    [LoggerMessage(910, LogLevel.Warning, "A chat run of pipeline {Pipeline} failed: {Error}", EventName = "ChatRunFailed")]
    private static partial void LogRunFailed(ILogger logger, string pipeline, string error);
}
