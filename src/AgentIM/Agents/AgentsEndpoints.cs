using AgentIM.Auth;
using AgentIM.Infrastructure;
using AgentIM.Infrastructure.Http;
using AgentIM.Messages;
using AgentIM.Realtime;

namespace AgentIM.Agents;

/// <summary>
/// /api/agents (rest-api.md §7): the caller's agents and gateways, agents shared with them, and spawning agents on
/// a connected gateway. Agents are only created by gateways registering them. What the caller may not see (an
/// unshared agent, another user's gateway) answers 404, not 403 (behaviour.md §15).
/// </summary>
public static class AgentsEndpoints
{
    // Error texts are part of the contract; clients and tests rely on them.
    public const string AgentNotFound = "Agent not found";
    public const string NotAgentOwner = "You do not own this agent";
    public const string GatewayNotFound = "Gateway not found";
    public const string GatewayOffline = "Gateway is offline";
    public const string AgentNameTaken = "You already have an agent with this name";
    public const string SpawnMissingFields = "Missing required fields: gatewayId, agentType, name";
    public const string SpawnInvalidName = "Name must be 1-100 non-empty characters";
    public const string SpawnInvalidCredential = "credentialId must be 1-50 characters";

    private static readonly string[] AgentTypes = ["claude-code", "codex", "gemini", "generic"];
    private static readonly string[] Visibilities = ["private", "all", "whitelist"];

    public static IEndpointRouteBuilder MapAgents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/agents").RequireBearer();
        group.MapGet("/", ListOwnedAsync);
        group.MapGet("/shared", ListSharedAsync);
        group.MapPost("/spawn", SpawnAsync);
        group.MapGet("/gateways/list", ListGatewaysAsync);
        group.MapDelete("/gateways/{gatewayId}", DeleteGatewayAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
        return app;
    }

    private static async Task<IResult> ListOwnedAsync(HttpContext context, AgentQueries agents, CancellationToken cancellationToken)
    {
        var paging = QueryPaging.Read(context.Request.Query, defaultLimit: 100, maxLimit: 500);
        var list = await agents.ListOwnedAsync(context.Caller().UserId, paging, cancellationToken);
        return Api.Ok(list, AgentsJson.Default.ApiOkListAgentDto);
    }

    private static async Task<IResult> ListSharedAsync(HttpContext context, AgentQueries agents, CancellationToken cancellationToken)
    {
        var paging = QueryPaging.Read(context.Request.Query, defaultLimit: 100, maxLimit: 500);
        var list = await agents.ListSharedAsync(context.Caller().UserId, paging, cancellationToken);
        return Api.Ok(list, AgentsJson.Default.ApiOkListAgentDto);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, AgentQueries agents, CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var agent = await agents.GetVisibleAsync(id, context.Caller().UserId, cancellationToken);
        return agent is null ? Api.NotFound(AgentNotFound) : Api.Ok(agent, AgentsJson.Default.ApiOkAgentDto);
    }

    /// <summary>Renames an agent or changes who it is shared with; its rooms learn the new name at once.</summary>
    private static async Task<IResult> UpdateAsync(
        string id,
        HttpContext context,
        AgentQueries agents,
        AgentStore agentStore,
        ConnectionRegistry registry,
        ILogger<AgentQueries> logger,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var body = await JsonBody.ReadAsync(context.Request, AgentsJson.Default.UpdateAgentRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var request = body.Value!;
        var validation = new Validation();
        validation.OneOf("visibility", request.Visibility, Visibilities);
        if (request.VisibilityList is { } list)
        {
            if (list.Count > 500)
            {
                validation.Add("visibilityList", "Array must contain at most 500 element(s)");
            }

            for (var i = 0; i < list.Count; i++)
            {
                validation.RequiredString($"visibilityList.{i}", list[i], 0, 100);
            }
        }

        if (request.Visibility == "whitelist" && request.VisibilityList is not { Count: > 0 })
        {
            validation.Add("visibilityList", "validation.visibilityListRequired");
        }

        if (validation.OptionalString("name", request.Name, 1, 100))
        {
            validation.NotBlank("name", request.Name, "validation.nameWhitespace");
        }

        if (validation.ToProblem() is { } problem)
        {
            return problem;
        }

        string? name = null;
        if (request.Name is not null)
        {
            name = ContentSanitizer.SanitizeText(request.Name);
            if (name.Length == 0)
            {
                return Api.Validation("name", "validation.nameWhitespace");
            }
        }

        var caller = context.Caller().UserId;
        var agent = await agents.GetVisibleAsync(id, caller, cancellationToken);
        if (agent is null)
        {
            return Api.NotFound(AgentNotFound);
        }

        if (agent.OwnerId != caller)
        {
            return Api.Forbidden(NotAgentOwner);
        }

        // Case B19: one owner's agent names differ in more than letter case, so a mention is never ambiguous.
        if (name is not null && await agentStore.IsNameTakenAsync(caller, id, name, cancellationToken))
        {
            return Api.Error(409, AgentNameTaken);
        }

        var updated = await agents.UpdateAsync(
            id, name, request.Visibility, request.VisibilityList?.Select(v => v!).ToList(), cancellationToken);
        if (updated is null)
        {
            return Api.NotFound(AgentNotFound);
        }

        await BroadcastStatusAsync(updated, agentStore, registry, cancellationToken);
        AgentsLog.AgentUpdated(logger, id, caller);
        return Api.Ok(updated, AgentsJson.Default.ApiOkAgentDto);
    }

    /// <summary>
    /// Deletes an agent. Its gateway is told with <c>server:remove_agent</c>; when it cannot be told now, the id is
    /// remembered so the gateway's next registration of it is answered the same way (behaviour.md §6.2).
    /// </summary>
    private static async Task<IResult> DeleteAsync(
        string id,
        HttpContext context,
        AgentQueries agents,
        ConnectionRegistry registry,
        DeletedAgents deleted,
        RoomEvents roomEvents,
        RoomContexts contexts,
        ILogger<AgentQueries> logger,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsValidPathId(id))
        {
            return Api.InvalidParameter("id");
        }

        var caller = context.Caller().UserId;
        var agent = await agents.GetVisibleAsync(id, caller, cancellationToken);
        if (agent is null)
        {
            return Api.NotFound(AgentNotFound);
        }

        if (agent.OwnerId != caller)
        {
            return Api.Forbidden(NotAgentOwner);
        }

        var rooms = await agents.DeleteAgentAsync(id, cancellationToken);
        var told = TellGatewayRemoved(id, registry, deleted);
        foreach (var roomId in rooms)
        {
            // The room's other agents learn that this one left (rest-api.md #55: room updates and room contexts).
            await roomEvents.MembersChangedAsync(roomId, cancellationToken);
            await contexts.RoomChangedAsync(roomId, cancellationToken);
        }

        AgentsLog.AgentDeleted(logger, id, caller, told);
        return Api.Done();
    }

    /// <summary>Asks a connected gateway of the caller to start an agent; the outcome arrives later over the client socket.</summary>
    private static async Task<IResult> SpawnAsync(
        HttpContext context, AgentQueries agents, ConnectionRegistry registry, ILogger<AgentQueries> logger,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(context.Request, AgentsJson.Default.SpawnAgentRequest, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        // Checked by hand, not by a schema, so the texts are upstream's (rest-api.md §7 #56).
        var request = body.Value!;
        if (string.IsNullOrEmpty(request.GatewayId) || string.IsNullOrEmpty(request.AgentType) || request.Name is null)
        {
            return Api.Error(400, SpawnMissingFields);
        }

        if (!AgentTypes.Contains(request.AgentType, StringComparer.Ordinal))
        {
            return Api.Error(400, $"Invalid agent type: {request.AgentType}");
        }

        if (request.Name.Length is 0 or > 100 || string.IsNullOrWhiteSpace(request.Name))
        {
            return Api.Error(400, SpawnInvalidName);
        }

        // The real gateway drops a spawn frame whose credentialId is over 50 characters (websocket.md §8.4).
        if (request.CredentialId is { Length: 0 or > 50 })
        {
            return Api.Error(400, SpawnInvalidCredential);
        }

        var caller = context.Caller().UserId;
        if (!await agents.OwnsGatewayAsync(request.GatewayId, caller, cancellationToken))
        {
            return Api.NotFound(GatewayNotFound);
        }

        var requestId = Ids.New();
        var frame = Frames.Serialize(
            new SpawnAgentFrame(requestId, request.AgentType, request.Name, request.WorkingDirectory, request.CredentialId),
            AgentFramesJson.Default.SpawnAgentFrame);
        var socket = registry.GatewaysOf(caller).LastOrDefault(g => g.GatewayId == request.GatewayId);
        if (socket is null || !socket.Send(frame))
        {
            return Api.Error(StatusCodes.Status503ServiceUnavailable, GatewayOffline);
        }

        AgentsLog.SpawnRequested(logger, requestId, request.GatewayId, caller);
        return Api.Done();
    }

    /// <summary>
    /// The caller's long-running gateways. The row's connection state is corrected from the sockets this node holds:
    /// a connected gateway has no <c>disconnectedAt</c>; one the row calls online without a socket left behind
    /// (a crash) is reported as disconnected since it connected.
    /// </summary>
    private static async Task<IResult> ListGatewaysAsync(
        HttpContext context, AgentQueries agents, ConnectionRegistry registry, CancellationToken cancellationToken)
    {
        var caller = context.Caller().UserId;
        var connected = registry.GatewaysOf(caller).Select(g => g.GatewayId).ToHashSet(StringComparer.Ordinal);
        var gateways = await agents.ListGatewaysAsync(caller, cancellationToken);
        var corrected = gateways
            .Select(g => connected.Contains(g.Id)
                ? g with { DisconnectedAt = null }
                : g.DisconnectedAt is null ? g with { DisconnectedAt = g.ConnectedAt } : g)
            .ToList();
        return Api.Ok(corrected, AgentsJson.Default.ApiOkListGatewayDto);
    }

    private static async Task<IResult> DeleteGatewayAsync(
        string gatewayId,
        HttpContext context,
        AgentQueries agents,
        ConnectionRegistry registry,
        DeletedAgents deleted,
        RoomEvents roomEvents,
        ILogger<AgentQueries> logger,
        CancellationToken cancellationToken)
    {
        // Not id-checked in the contract: gateway ids are chosen by the gateway CLI.
        var caller = context.Caller().UserId;
        var removed = await agents.DeleteGatewayAsync(gatewayId, caller, cancellationToken);
        if (removed is null)
        {
            return Api.NotFound(GatewayNotFound);
        }

        foreach (var agentId in removed.AgentIds)
        {
            TellGatewayRemoved(agentId, registry, deleted);
        }

        foreach (var roomId in removed.RoomIds)
        {
            await roomEvents.MembersChangedAsync(roomId, cancellationToken);
        }

        AgentsLog.GatewayDeleted(logger, gatewayId, caller, removed.AgentIds.Count);
        return Api.Done();
    }

    /// <summary>Sends <c>server:remove_agent</c> to the socket hosting the agent, or remembers the id for its return.</summary>
    private static bool TellGatewayRemoved(string agentId, ConnectionRegistry registry, DeletedAgents deleted)
    {
        var frame = Frames.Serialize(new RemoveAgentFrame(agentId), WireJson.Default.RemoveAgentFrame);
        var gateway = registry.GatewayOfAgent(agentId);
        if (gateway is not null && gateway.Send(frame))
        {
            registry.UnbindAgent(agentId, gateway);
            gateway.Agents.TryRemove(agentId, out _);
            return true;
        }

        deleted.Remember(agentId);
        return false;
    }

    /// <summary>Tells every room the agent is in what it now looks like (name, status), as registration does.</summary>
    private static async Task BroadcastStatusAsync(
        AgentDto agent, AgentStore agentStore, ConnectionRegistry registry, CancellationToken cancellationToken)
    {
        var frame = Frames.Serialize(
            new AgentStatusFrame(
                new AgentStatusDto(agent.Id, agent.Name, agent.Type, agent.Status, agent.SlashCommands, agent.McpServers, agent.Model)),
            WireJson.Default.AgentStatusFrame);
        foreach (var roomId in await agentStore.ListRoomsOfAgentAsync(agent.Id, cancellationToken))
        {
            registry.SendToRoom(roomId, frame);
        }
    }
}
