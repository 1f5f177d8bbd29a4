using AgentIM.Infrastructure;
using AgentIM.Messages;
using AgentIM.Rooms;

namespace AgentIM.Realtime;

public sealed partial class ClientSocketHandler
{
    /// <summary>Message content is measured in UTF-16 code units, as the contract (and JavaScript) counts it, on every path.</summary>
    public const int MaxContentLength = 100_000;

    private bool ValidateSend(ClientConnection connection, ClientSendMessageFrame? frame)
    {
        if (frame is null || !IsId(frame.RoomId) || frame.Content is null || frame.Content.Length == 0
            || frame.Mentions is { Count: > 50 } || frame.AttachmentIds is { Count: > 20 }
            || frame.ReplyToId is { Length: > 100 } || frame.AttachmentIds?.Any(id => !IsId(id)) == true)
        {
            SendInvalid(connection);
            return false;
        }

        if (frame.Content.Length > MaxContentLength)
        {
            SendError(connection, ErrorCodes.MessageTooLarge, $"Message content exceeds {MaxContentLength} characters");
            return false;
        }

        return true;
    }

    /// <summary>
    /// Stores the message, broadcasts it to the room, then routes it to the agents it mentions (behaviour.md §1.2).
    /// The broadcast goes out before any <c>server:send_to_agent</c> (websocket.md §9a).
    /// </summary>
    private async Task HandleSendMessageAsync(ClientConnection connection, ClientSendMessageFrame frame)
    {
        var content = ContentSanitizer.SanitizeContent(frame.Content!);
        if (string.IsNullOrWhiteSpace(content))
        {
            SendInvalid(connection);
            return;
        }

        // Most messages mention nobody: then the members are not needed, and the insert alone answers the routing questions.
        var names = Mentions.Parse(content);
        IReadOnlyList<RoutingMember> mentioned = names.Count == 0
            ? []
            : Mentions.Resolve(
                names, await rooms.ListRoutingMembersAsync(frame.RoomId!, connection.Closed), m => m.Name, m => m.Status == "online");
        using var turn = messages.Order.Begin(frame.RoomId!);
        var (stored, failure) = await messages.InsertUserMessageAsync(
            new NewUserMessage(
                frame.RoomId!,
                connection.UserId!,
                connection.Username!,
                content,
                mentioned.Select(m => m.Name).ToList(),
                string.IsNullOrEmpty(frame.ReplyToId) ? null : frame.ReplyToId,
                frame.AttachmentIds ?? []),
            turn,
            connection.Closed);

        switch (failure)
        {
            case SendFailure.RoomNotFound:
                SendError(connection, ErrorCodes.RoomNotFound, "Room not found");
                return;
            case SendFailure.NotAMember:
                SendError(connection, ErrorCodes.NotAMember, "You are not a member of this room");
                return;
        }

        metrics.UserMessageStored();
        var message = stored!.Message;
        await turn.AnnounceAsync(
            () => registry.SendToRoom(message.RoomId, Frames.Serialize(new NewMessageFrame(message), WireJson.Default.NewMessageFrame)));

        var agents = mentioned.Where(m => m.IsAgent).Select(m => (m.Id, m.Name)).ToList();
        if (agents.Count == 0 && !(stored.RoomHasAgents && stored.BroadcastMode))
        {
            return;
        }

        if (RoleRank(stored.SenderRole) < RoleRank(stored.AgentCommandRole))
        {
            SendError(connection, ErrorCodes.PermissionDenied, "Insufficient permissions to command agents in this room");
            return;
        }

        if (agents.Count > 0)
        {
            SendToAgents(connection, message, agents, "direct");
            return;
        }

        // No agent mentioned in a broadcast room: its AI router says which agents are meant (behaviour.md §1.3). The LLM
        // may take seconds, so it runs beside this socket's frames rather than holding them up.
        _ = RouteBroadcastAsync(connection, message);
    }

    private async Task RouteBroadcastAsync(ClientConnection connection, MessageDto message)
    {
        try
        {
            if (await rooms.GetAsync(message.RoomId, CancellationToken.None) is not { BroadcastMode: true } room)
            {
                return;
            }

            var chosen = await broadcastRouter.SelectAsync(room, message.Content, CancellationToken.None);
            if (chosen.Count > 0)
            {
                SendToAgents(connection, message, chosen.Select(a => (a.Id, a.Name)).ToList(), "broadcast");
            }
        }
        catch (Exception e)
        {
            RealtimeLog.ClientFrameFailed(logger, connection.Id, e);
        }
    }

    /// <summary>One <c>server:send_to_agent</c> per agent (one conversation); the room hears of agents that are offline.</summary>
    private void SendToAgents(ClientConnection connection, MessageDto message, List<(string Id, string Name)> agents, string routingMode)
    {
        var conversationId = Ids.New();
        foreach (var (agentId, agentName) in agents)
        {
            if (cooldowns.TryPass(connection.UserId!, agentId) is var (queued, remaining))
            {
                var wait = (int)Math.Ceiling(remaining.TotalSeconds);
                connection.Send(SystemNotice(
                    message.RoomId,
                    $"Agent {agentName} is busy with {queued} pending message{(queued == 1 ? "" : "s")}; "
                    + $"please wait {wait} s before sending again"));
                continue;
            }

            var send = new SendToAgentFrame(
                agentId, message.RoomId, message.Id, message.Content, connection.Username!, "user", routingMode, conversationId, 0);
            metrics.AgentResponseStarted(agentId, message.RoomId);
            if (!registry.SendToAgent(agentId, Frames.Serialize(send, WireJson.Default.SendToAgentFrame)))
            {
                metrics.AgentResponseAbandoned(agentId, message.RoomId);
                registry.SendToRoom(message.RoomId, SystemNotice(message.RoomId, $"Agent {agentName} is offline"));
            }
        }
    }

    private async Task HandleStopGenerationAsync(ClientConnection connection, string roomId, string agentId)
    {
        if (!connection.HasJoined(roomId))
        {
            return;
        }

        if (await agentsCache.CheckAsync(roomId, agentId, connection.Closed) == AgentMembership.Member)
        {
            registry.SendToAgent(agentId, Frames.Serialize(new StopAgentFrame(agentId), WireJson.Default.StopAgentFrame));
        }
    }

    /// <summary>An ephemeral notice from "System": shown to the room, never stored (websocket.md §5).</summary>
    private static byte[] SystemNotice(string roomId, string text) => Frames.Serialize(
        new NewMessageFrame(new MessageDto
        {
            Id = Ids.New(),
            RoomId = roomId,
            SenderId = "system",
            SenderType = "system",
            SenderName = "System",
            Type = "system",
            Content = text,
            Mentions = [],
            CreatedAt = Clock.UtcNow(),
        }),
        WireJson.Default.NewMessageFrame);

    private static int RoleRank(string role) => role switch
    {
        "owner" => 2,
        "admin" => 1,
        _ => 0,
    };
}
