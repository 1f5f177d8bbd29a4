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

        var members = await rooms.ListRoutingMembersAsync(frame.RoomId!, connection.Closed);
        var mentioned = Mentions.Resolve(Mentions.Parse(content), members, m => m.Name, m => m.Status == "online");
        var (stored, failure) = await messages.InsertUserMessageAsync(
            new NewUserMessage(
                frame.RoomId!,
                connection.UserId!,
                connection.Username!,
                content,
                mentioned.Select(m => m.Name).ToList(),
                string.IsNullOrEmpty(frame.ReplyToId) ? null : frame.ReplyToId,
                frame.AttachmentIds ?? []),
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
        registry.SendToRoom(message.RoomId, Frames.Serialize(new NewMessageFrame(message), WireJson.Default.NewMessageFrame));

        var agents = mentioned.Where(m => m.IsAgent).ToList();
        if (agents.Count == 0)
        {
            // TODO(#4): broadcast rooms route unmentioned messages through the AI router.
            return;
        }

        if (RoleRank(stored.SenderRole) < RoleRank(stored.AgentCommandRole))
        {
            SendError(connection, ErrorCodes.PermissionDenied, "Insufficient permissions to command agents in this room");
            return;
        }

        var conversationId = Ids.New();
        foreach (var agent in agents)
        {
            var send = new SendToAgentFrame(
                agent.Id, message.RoomId, message.Id, message.Content, connection.Username!, "user", "direct", conversationId, 0);
            metrics.AgentResponseStarted(agent.Id, message.RoomId);
            if (!registry.SendToAgent(agent.Id, Frames.Serialize(send, WireJson.Default.SendToAgentFrame)))
            {
                metrics.AgentResponseAbandoned(agent.Id, message.RoomId);
                registry.SendToRoom(message.RoomId, SystemNotice(message.RoomId, $"Agent {agent.Name} is offline"));
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
