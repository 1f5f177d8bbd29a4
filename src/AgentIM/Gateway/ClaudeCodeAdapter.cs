namespace AgentIM.Gateway;

/// <summary>
/// Drives the Claude Code CLI (gateway-cli.md §7.1) with one long-lived process per room, spoken to in
/// <c>stream-json</c> both ways. A room's process is started on its first message, resuming the room's saved
/// session (a resume that fails before any output is retried once without it), kept for the following messages, and
/// ended after <see cref="IdleTimeout"/> without one; its session survives that and gateway restarts. Rooms run in
/// parallel. With <c>-y</c> the permission mode is <c>bypassPermissions</c>; otherwise <c>default</c>, and every
/// tool the CLI asks about goes to the room as a permission request. A stop ends the room's process tree and
/// forgets the agent's sessions, as the real gateway does.
/// </summary>
public sealed class ClaudeCodeAdapter(GenericAdapterOptions process, bool bypassPermissions, SecretRedactor redactor) : IAgentAdapter
{
    private readonly Dictionary<string, Room> _rooms = [];
    private readonly Dictionary<string, ClaudeSessionFile> _sessionFiles = [];
    private readonly Lock _lock = new();

    public bool SupportsParallelRooms => true;

    /// <summary>How long a room's process may sit without a message before it is ended (its session is kept).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a tool approval may wait for a person (the contract allows up to 5 minutes).</summary>
    public TimeSpan PermissionTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The permission level reported to the hub (<c>server:query_agent_info</c>).</summary>
    public string PermissionLevel => bypassPermissions ? "bypass" : "interactive";

    /// <summary>The process serving a room right now, if any (for status and tests).</summary>
    public int? ProcessIdFor(string roomId)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(roomId, out var room) && room.Process is { HasExited: false } p ? p.ProcessId : null;
        }
    }

    public async Task<AdapterResult> RunAsync(AdapterRequest request, Func<AgentChunk, Task> onChunk, CancellationToken cancellationToken)
    {
        var sessions = SessionsFor(request.WorkingDirectory);
        var room = RoomFor(request.RoomId);
        room.CancelIdle();
        var (current, error) = Acquire(room, request, sessions, resume: true);
        if (current is null)
        {
            return AdapterResult.Failed("", error!);
        }

        var turn = await current.RunTurnAsync(request, onChunk, cancellationToken);
        if (turn.Result.Error is not null && current.ResumedFrom is not null && current.Turns == 1 && turn.Produced == 0
            && !cancellationToken.IsCancellationRequested)
        {
            // The saved session could not be resumed (expired, or from another machine): start the room afresh.
            await current.TerminateAsync();
            sessions.Set(request.RoomId, null);
            (current, error) = Acquire(room, request, sessions, resume: false);
            if (current is null)
            {
                return AdapterResult.Failed("", error!);
            }

            turn = await current.RunTurnAsync(request, onChunk, cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // The cancelled turn ended the process; whether the conversation is forgotten is StopAllAsync's call.
            await current.TerminateAsync();
            room.Process = null;
            return turn.Result;
        }

        if (current.SessionId is { } session)
        {
            sessions.Set(request.RoomId, session);
        }

        if (current.HasExited)
        {
            room.Process = null;
        }
        else
        {
            room.ScheduleIdle(IdleTimeout);
        }

        return turn.Result;
    }

    /// <summary>Ends every room's process; forgets the sessions on the hub's stop or removal of the agent.</summary>
    public async Task StopAllAsync(bool forgetSessions)
    {
        List<Room> rooms;
        lock (_lock)
        {
            rooms = [.. _rooms.Values];
        }

        foreach (var room in rooms)
        {
            room.CancelIdle();
            if (room.Process is { } running)
            {
                await running.TerminateAsync();
            }

            room.Process = null;
        }

        if (!forgetSessions)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var sessions in _sessionFiles.Values)
            {
                sessions.Clear();
            }
        }
    }

    private ClaudeSessionFile SessionsFor(string? workingDirectory)
    {
        lock (_lock)
        {
            var key = workingDirectory ?? "";
            if (!_sessionFiles.TryGetValue(key, out var file))
            {
                _sessionFiles[key] = file = new ClaudeSessionFile(workingDirectory);
            }

            return file;
        }
    }

    private Room RoomFor(string roomId)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out var room))
            {
                _rooms[roomId] = room = new Room();
            }

            return room;
        }
    }

    /// <summary>The room's running process, or a new one (resuming the room's session when asked to).</summary>
    private (ClaudeRoomProcess? Process, string? Error) Acquire(Room room, AdapterRequest request, ClaudeSessionFile sessions, bool resume)
    {
        if (room.Process is { HasExited: false } running)
        {
            return (running, null);
        }

        var session = resume ? sessions.Get(request.RoomId) : null;
        List<string> arguments =
        [
            .. process.Arguments,
            "--output-format", "stream-json", "--input-format", "stream-json", "--verbose", "--include-partial-messages",
            "--permission-mode", bypassPermissions ? "bypassPermissions" : "default",
        ];
        if (!bypassPermissions)
        {
            arguments.Add("--permission-prompt-tool");
            arguments.Add("stdio");
        }

        if (session is not null)
        {
            arguments.Add("--resume");
            arguments.Add(session);
        }

        var (started, error) = ClaudeRoomProcess.Start(process, arguments, request.WorkingDirectory, redactor, PermissionTimeout, session);
        room.Process = started;
        return (started, error);
    }

    /// <summary>A room's process and the timer that ends it when the room goes quiet.</summary>
    private sealed class Room
    {
        private CancellationTokenSource? _idle;

        public ClaudeRoomProcess? Process { get; set; }

        public void CancelIdle()
        {
            var idle = Interlocked.Exchange(ref _idle, null);
            idle?.Cancel();
            idle?.Dispose();
        }

        public void ScheduleIdle(TimeSpan after)
        {
            var idle = new CancellationTokenSource();
            Interlocked.Exchange(ref _idle, idle)?.Cancel();
            var process = Process;
            _ = Task.Run(async () =>
            {
                try
                {
                    await Task.Delay(after, idle.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (process is not null && ReferenceEquals(Process, process))
                {
                    Process = null;
                    await process.TerminateAsync();
                }
            }, CancellationToken.None);
        }
    }
}
