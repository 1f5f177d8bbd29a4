using System.Text.Json.Nodes;
using AgentIM.Infrastructure;
using static AgentIM.Gateway.JsonRead;

namespace AgentIM.Gateway;

/// <summary>
/// The agent manager (gateway-cli.md §5, §6): hosts agents, turns each <c>server:send_to_agent</c> into one reply
/// with a fresh response id (busy status with queue depth, chunks, exactly one completion, then online or busy),
/// queues per room with a bound, and carries out the hub's stop, remove and spawn requests.
/// </summary>
public sealed class AgentHost(IFrameSink sink, GatewayConfigStore? store, AgentFactory factory, ILogger logger)
{
    /// <summary>Messages waiting per agent and room before new ones are refused (gateway-cli.md §5).</summary>
    public const int RoomQueueLimit = 50;

    private readonly Dictionary<string, HostedAgent> _agents = [];
    private readonly Lock _lock = new();
    private readonly List<Task> _replies = [];
    private readonly PermissionRequests _permissions = new(sink);

    /// <summary>Raised after the hub removed an agent (wrapper mode exits on it).</summary>
    public event Action<string>? AgentRemoved;

    public IReadOnlyList<HostedAgent> Agents
    {
        get
        {
            lock (_lock)
            {
                return [.. _agents.Values];
            }
        }
    }

    /// <summary>
    /// Hosts an agent. With a config store its id is the one this installation used before for that name (so room
    /// memberships survive restarts); otherwise a fresh one.
    /// </summary>
    public HostedAgent Add(string name, string type, string? workingDirectory, IAgentAdapter adapter)
    {
        var id = store?.AgentId(name, type, workingDirectory) ?? Ids.New();
        var agent = new HostedAgent(new AgentRegistration(id, name, type, workingDirectory), adapter);
        lock (_lock)
        {
            _agents[id] = agent;
        }

        GatewayLog.AgentRegistered(logger, name, type, id);
        return agent;
    }

    /// <summary>The <c>gateway:register_agent</c> frames for every hosted agent, sent after each successful auth.</summary>
    public IReadOnlyList<string> RegistrationFrames() => [.. Agents.Select(a => GatewayFrames.Register(a.Registration))];

    /// <summary>Handles one hub frame; returns at once (replies run in the background).</summary>
    public void Handle(string type, JsonObject frame)
    {
        switch (type)
        {
            case "server:send_to_agent":
                if (IncomingMessage.From(frame) is { } message)
                {
                    Deliver(message);
                }
                else
                {
                    GatewayLog.FrameDropped(logger, type, "missing fields");
                }

                return;
            case "server:stop_agent":
                if (Find(Text(frame, "agentId")) is { } stopped)
                {
                    Stop(stopped);
                }

                return;
            case "server:remove_agent":
                Remove(Text(frame, "agentId"));
                return;
            case "server:spawn_agent":
                Spawn(frame);
                return;
            case "server:room_context":
                RememberRoom(frame);
                return;
            case "server:permission_response":
                var resolved = _permissions.Resolve(
                    Text(frame, "requestId"), Text(frame, "agentId"), Text(frame, "decision"), Text(frame, "denyReason"));
                if (!resolved)
                {
                    GatewayLog.FrameDropped(logger, type, "no such permission request waiting");
                }

                return;
            case "server:agent_command":
                var known = Find(Text(frame, "agentId")) is not null;
                sink.Send(GatewayFrames.CommandResult(
                    Text(frame, "agentId") ?? "", Text(frame, "roomId") ?? "", Text(frame, "command") is { Length: > 0 } c ? c : "unknown",
                    false, known ? "This agent has no slash commands" : "Agent not found"), FramePriority.Normal);
                return;
            case "server:query_agent_info":
                if (Find(Text(frame, "agentId")) is { } queried)
                {
                    var level = queried.Adapter is ClaudeCodeAdapter claude ? claude.PermissionLevel : "bypass";
                    sink.Send(GatewayFrames.AgentInfo(queried.Id, Text(frame, "roomId"), level), FramePriority.Normal);
                }

                return;
            case "server:request_workspace":
                _ = AnswerWorkspaceAsync(frame);
                return;
            case "server:list_credentials":
                sink.Send(GatewayFrames.CredentialList(Text(frame, "requestId") ?? "", Text(frame, "agentType") ?? AgentTypes.Generic),
                    FramePriority.Normal);
                return;
            case "server:add_credential":
            case "server:manage_credential":
                sink.Send(GatewayFrames.CredentialResult(Text(frame, "requestId") ?? "", "This gateway keeps no agent credentials"),
                    FramePriority.Normal);
                return;
            default:
                GatewayLog.FrameDropped(logger, type, "not handled by this gateway");
                return;
        }
    }

    /// <summary>How long a workspace view or the git summary after a reply may take (gateway-cli.md §5, §6).</summary>
    public TimeSpan WorkspaceTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Permission requests waiting for an answer.</summary>
    public int PendingPermissions => _permissions.Count;

    /// <summary>
    /// Stops every agent's work (shutdown): waiting permission requests are denied, long-lived agent processes end,
    /// and the running replies still complete once.
    /// </summary>
    public async Task StopAllAsync(TimeSpan wait)
    {
        _permissions.DenyAll();
        var agents = Agents;
        foreach (var agent in agents)
        {
            Stop(agent, forgetSessions: false);
        }

        await Task.WhenAny(Task.WhenAll(agents.Select(a => a.Adapter.StopAllAsync(forgetSessions: false))),
            Task.Delay(wait, CancellationToken.None));

        Task[] running;
        lock (_lock)
        {
            running = [.. _replies];
        }

        await Task.WhenAny(Task.WhenAll(running), Task.Delay(wait, CancellationToken.None));
    }

    private void Deliver(IncomingMessage message)
    {
        if (Find(message.AgentId) is not { } agent)
        {
            GatewayLog.FrameDropped(logger, "server:send_to_agent", "unknown agent");
            return;
        }

        lock (agent)
        {
            if (agent.Removed)
            {
                return;
            }

            if (agent.IsBusyFor(message.RoomId))
            {
                if (!agent.Queues.TryGetValue(message.RoomId, out var queue))
                {
                    agent.Queues[message.RoomId] = queue = new Queue<IncomingMessage>();
                }

                if (queue.Count >= RoomQueueLimit)
                {
                    RefuseFull(agent, message);
                    return;
                }

                queue.Enqueue(message);
                sink.Send(GatewayFrames.Status(agent.Id, "busy", agent.QueueDepth), FramePriority.High);
                return;
            }

            Start(agent, message);
        }
    }

    /// <summary>
    /// The room's queue is full: the message gets an immediate error reply. Upstream gives that reply the incoming
    /// message's id (overwriting it, behaviour.md §15.1); ours gets a fresh id so the user's message stays intact.
    /// </summary>
    private void RefuseFull(HostedAgent agent, IncomingMessage message)
    {
        var error = $"Error: {agent.Registration.Name} has {RoomQueueLimit} messages waiting in this room; try again later";
        sink.Send(GatewayFrames.Complete(message.RoomId, agent.Id, Ids.New(), error, [new AgentChunk(AgentChunk.Error, error)],
            message.ConversationId, message.Depth), FramePriority.Critical);
    }

    /// <summary>Starts a reply; the caller holds the agent's lock.</summary>
    private void Start(HostedAgent agent, IncomingMessage message)
    {
        var stop = new CancellationTokenSource();
        agent.Running[message.RoomId] = stop;
        var task = Task.Run(() => RunRoomAsync(agent, message, stop));
        lock (_lock)
        {
            _replies.RemoveAll(t => t.IsCompleted);
            _replies.Add(task);
        }
    }

    private async Task RunRoomAsync(HostedAgent agent, IncomingMessage first, CancellationTokenSource stop)
    {
        IncomingMessage? message = first;
        while (message is not null)
        {
            try
            {
                await ReplyAsync(agent, message, stop.Token);
            }
            catch (Exception e)
            {
                GatewayLog.ReplyCrashed(logger, agent.Id, e);
            }

            lock (agent)
            {
                agent.Running.Remove(message.RoomId);
                stop.Dispose();
                message = NextFor(agent, message.RoomId);
                if (message is not null)
                {
                    stop = new CancellationTokenSource();
                    agent.Running[message.RoomId] = stop;
                }
                else if (agent.Running.Count == 0)
                {
                    var depth = agent.QueueDepth;
                    sink.Send(GatewayFrames.Status(agent.Id, depth == 0 ? "online" : "busy", depth), FramePriority.High);
                }
            }
        }
    }

    /// <summary>The next message to run: this room's first, else (one-at-a-time adapters) another room's.</summary>
    private static IncomingMessage? NextFor(HostedAgent agent, string roomId)
    {
        if (agent.Removed)
        {
            return null;
        }

        if (agent.Queues.TryGetValue(roomId, out var own) && own.TryDequeue(out var next))
        {
            return next;
        }

        if (agent.Adapter.SupportsParallelRooms)
        {
            return null;
        }

        foreach (var queue in agent.Queues.Values)
        {
            if (queue.TryDequeue(out var other))
            {
                return other;
            }
        }

        return null;
    }

    private async Task ReplyAsync(HostedAgent agent, IncomingMessage message, CancellationToken stop)
    {
        var responseId = Ids.New();
        int depth;
        RoomInfo? room;
        lock (agent)
        {
            depth = agent.QueueDepth;
            room = agent.Rooms.GetValueOrDefault(message.RoomId);
        }

        sink.Send(GatewayFrames.Status(agent.Id, "busy", depth), FramePriority.High);
        var chunks = new List<AgentChunk>();
        Task Emit(AgentChunk chunk)
        {
            lock (chunks)
            {
                chunks.Add(chunk);
            }

            sink.Send(GatewayFrames.Chunk(message.RoomId, agent.Id, responseId, chunk), FramePriority.High);
            return Task.CompletedTask;
        }

        var registration = agent.Registration;
        AdapterResult result;
        if (WorkingDirectories.Resolve(registration.WorkingDirectory) is { Error: { } dirError })
        {
            result = AdapterResult.Failed("", dirError);
        }
        else
        {
            var prompt = PromptBuilder.Build(message, room, registration.Name, registration.Type);
            var request = new AdapterRequest(prompt, message.RoomId, WorkingDirectories.Resolve(registration.WorkingDirectory).Path)
            {
                Permissions = (ask, cancellationToken) => _permissions.AskAsync(agent.Id, message.RoomId, ask, Emit, cancellationToken),
            };
            try
            {
                result = await agent.Adapter.RunAsync(request, Emit, stop);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                result = AdapterResult.Failed("", e.Message);
            }
        }

        var fullContent = result.FullContent;
        if (result.Error is { } error)
        {
            GatewayLog.ReplyFailed(logger, responseId, agent.Id, error);
            var stopped = stop.IsCancellationRequested;
            await Emit(new AgentChunk(AgentChunk.Error, stopped ? "Stopped" : error));
            fullContent = stopped
                ? (fullContent.Length > 0 ? fullContent : "Interrupted")
                : (fullContent.Length > 0 ? fullContent + "\n\nError: " + error : "Error: " + error);
        }

        if (WorkingDirectories.Resolve(registration.WorkingDirectory) is { Path: { } workingDirectory })
        {
            await WorkspaceChunkAsync(workingDirectory, Emit);
        }

        List<AgentChunk> all;
        lock (chunks)
        {
            all = [.. chunks];
        }

        sink.Send(GatewayFrames.Complete(message.RoomId, agent.Id, responseId, fullContent, all, message.ConversationId, message.Depth),
            FramePriority.Critical);
    }

    /// <summary>
    /// The hub's stop (gateway-cli.md §5): queues cleared, running replies cancelled (their processes end), waiting
    /// permission requests denied, and the adapter's long-lived processes ended (and its sessions forgotten, except
    /// at shutdown, so a restarted gateway resumes the rooms' conversations).
    /// </summary>
    /// <summary>
    /// The git summary of the working directory as a <c>workspace_status</c> chunk before the completion
    /// (gateway-cli.md §6 step 6); a folder that is not a repository adds nothing, a failure adds a text note.
    /// </summary>
    private async Task WorkspaceChunkAsync(string workingDirectory, Func<AgentChunk, Task> emit)
    {
        var (status, isRepository, error) = await WorkspaceViews.GitStatusAsync(workingDirectory, WorkspaceTimeout, CancellationToken.None);
        if (error is not null)
        {
            await emit(new AgentChunk(AgentChunk.Text, $"[Workspace status unavailable: {error}]"));
        }
        else if (isRepository && status is not null)
        {
            await emit(new AgentChunk(
                AgentChunk.WorkspaceStatus, status.ToJsonString(), new JsonObject { ["workingDirectory"] = workingDirectory }));
        }
    }

    /// <summary>Answers <c>server:request_workspace</c> with a status, tree, file or error view (gateway-cli.md §5).</summary>
    private async Task AnswerWorkspaceAsync(JsonObject frame)
    {
        var agentId = Text(frame, "agentId") ?? "";
        var requestId = Text(frame, "requestId") ?? "";
        JsonObject response;
        try
        {
            response = await WorkspaceViewAsync(agentId, frame["request"] as JsonObject);
        }
        catch (OperationCanceledException)
        {
            response = WorkspaceViews.Error($"The workspace did not answer within {WorkspaceTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            response = WorkspaceViews.Error("The workspace cannot be read");
        }

        sink.Send(GatewayFrames.WorkspaceResponse(agentId, requestId, response), FramePriority.Normal);
    }

    private async Task<JsonObject> WorkspaceViewAsync(string agentId, JsonObject? request)
    {
        if (Find(agentId) is not { } agent)
        {
            return WorkspaceViews.Error("Agent not found");
        }

        var (root, dirError) = WorkingDirectories.Resolve(agent.Registration.WorkingDirectory);
        if (root is null)
        {
            return WorkspaceViews.Error(dirError ?? "This agent has no working directory");
        }

        using var limit = new CancellationTokenSource(WorkspaceTimeout);
        var path = request is null ? null : Text(request, "path");
        switch (request is null ? null : Text(request, "kind"))
        {
            case "status":
                var (status, _, error) = await WorkspaceViews.GitStatusAsync(root, WorkspaceTimeout, limit.Token);
                return error is not null ? WorkspaceViews.Error(error) : new JsonObject { ["kind"] = "status", ["data"] = status };
            case "tree":
                return await Task.Run(() => WorkspaceViews.Tree(root, path), limit.Token).WaitAsync(limit.Token);
            case "file":
                return await WorkspaceViews.FileAsync(root, path, limit.Token).WaitAsync(limit.Token);
            default:
                return WorkspaceViews.Error("Unknown workspace request");
        }
    }

    private void Stop(HostedAgent agent, bool forgetSessions = true)
    {
        lock (agent)
        {
            agent.Queues.Clear();
            foreach (var running in agent.Running.Values)
            {
                running.Cancel();
            }
        }

        _permissions.DenyAll(agent.Id, "The agent was stopped");
        _ = agent.Adapter.StopAllAsync(forgetSessions);
    }

    private void Remove(string? agentId)
    {
        if (Find(agentId) is not { } agent)
        {
            return;
        }

        lock (agent)
        {
            agent.Removed = true;
        }

        Stop(agent);
        lock (_lock)
        {
            _agents.Remove(agent.Id);
        }

        store?.ForgetAgent(agent.Id);
        _permissions.DenyAll(agent.Id, "The agent was removed");
        _ = agent.Adapter.StopAllAsync(forgetSessions: true);
        GatewayLog.AgentRemoved(logger, agent.Id);
        AgentRemoved?.Invoke(agent.Id);
    }

    private void Spawn(JsonObject frame)
    {
        if (Text(frame, "requestId") is not { } requestId)
        {
            return;
        }

        var name = Text(frame, "name");
        var type = Text(frame, "agentType");
        var directory = Text(frame, "workingDirectory");
        if (name is not { Length: > 0 } || type is null)
        {
            sink.Send(GatewayFrames.SpawnResult(requestId, false, null, "name and agentType are required"), FramePriority.Normal);
            return;
        }

        if (Agents.FirstOrDefault(a => a.Registration.Name == name) is { } existing)
        {
            sink.Send(GatewayFrames.SpawnResult(requestId, true, existing.Id, null), FramePriority.Normal);
            return;
        }

        if (directory is not null && WorkingDirectories.Resolve(directory).Error is { } dirError)
        {
            sink.Send(GatewayFrames.SpawnResult(requestId, false, null, dirError), FramePriority.Normal);
            return;
        }

        if (factory(type, name) is not { } adapter)
        {
            sink.Send(GatewayFrames.SpawnResult(requestId, false, null, $"This gateway cannot run {type} agents"), FramePriority.Normal);
            return;
        }

        var agent = Add(name, type, directory, adapter);
        sink.Send(GatewayFrames.Register(agent.Registration), FramePriority.Critical);
        sink.Send(GatewayFrames.SpawnResult(requestId, true, agent.Id, null), FramePriority.Normal);
    }

    private void RememberRoom(JsonObject frame)
    {
        if (Find(Text(frame, "agentId")) is not { } agent || frame["context"] is not JsonObject context
            || Text(context, "roomId") is not { } roomId)
        {
            return;
        }

        var others = new List<string>();
        if (context["members"] is JsonArray members)
        {
            foreach (var member in members.OfType<JsonObject>())
            {
                if (Text(member, "id") != agent.Id && Text(member, "name") is { } memberName)
                {
                    others.Add(Text(member, "type") == "agent" ? $"{memberName} (agent)" : memberName);
                }
            }
        }

        lock (agent)
        {
            agent.Rooms[roomId] = new RoomInfo(Text(context, "roomName") ?? roomId, Text(context, "systemPrompt"), others);
        }
    }

    private HostedAgent? Find(string? agentId)
    {
        lock (_lock)
        {
            return agentId is not null && _agents.TryGetValue(agentId, out var agent) ? agent : null;
        }
    }

}

/// <summary>Builds the adapter for an agent the hub asks this gateway to spawn; null when it cannot run that type.</summary>
public delegate IAgentAdapter? AgentFactory(string agentType, string name);
